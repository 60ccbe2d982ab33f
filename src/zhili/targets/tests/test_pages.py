"""The office's and the districts' pages: decomposition, incidents, the rule; the API's cell reads
and multipart reporting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.targets import services
from zhili.targets.evidence import Upload
from zhili.targets.models import Assignment, Incident, Plan, Report, Score

from .conftest import PDF, PNG


def test_office_adds_and_removes_assignees(
    small_plan: Any, login: Any, users: dict[str, Any]
) -> None:
    plan = small_plan()
    task = plan.tasks.get(number="3")
    client = login("office_zfw")
    page = client.get(f"/targets/{plan.pk}/tasks/{task.pk}/").content.decode()
    assert "增加责任方" in page
    assert (
        client.post(
            f"/targets/{plan.pk}/tasks/{task.pk}/assign/", {"target": "a:500103"}
        ).status_code
        == 302
    )
    added = Assignment.objects.get(task=task, area__code="500103")
    assert added.reports.count() == task.milestones.count()
    assert Score.objects.filter(plan=plan, area__code="500103").exists()
    client.post(f"/targets/{plan.pk}/assignments/{added.pk}/remove/")
    assert not Assignment.objects.filter(pk=added.pk).exists()
    lead = Assignment.objects.get(task=task, kind="lead")
    with pytest.raises(ValidationFailed, match="牵头单位"):
        services.assignment_remove(actor=users["office_zfw"], assignment=lead)
    co = Assignment.objects.get(plan=plan, task__number="1", kind="co")
    report = co.reports.first()
    services.report_submit(
        actor=users["city_admin"], report=report, text="已开展", uploads=[Upload("a.pdf", PDF)]
    )
    with pytest.raises(Conflict, match="已报送"):
        services.assignment_remove(actor=users["office_zfw"], assignment=co)
    # A unit may not decompose.
    assert (
        login("unit_gaj")
        .post(f"/targets/{plan.pk}/tasks/{task.pk}/assign/", {"target": "a:500101"})
        .status_code
        == 302
    )
    assert not Assignment.objects.filter(task=task, area__code="500101").exists()


def test_district_splits_from_the_cell_panel(small_plan: Any, login: Any) -> None:
    plan = small_plan()
    share = Assignment.objects.get(
        plan=plan, task__number="1", area__code="500103", unit__isnull=True
    )
    client = login("yuzhong")
    panel = client.get(f"/targets/{plan.pk}/c/{share.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "分解到街道（乡镇）" in panel and "解放碑街道" in panel
    response = client.post(
        f"/targets/{plan.pk}/c/{share.pk}/split/", {"streets": ["500103003"], "note": "辖区内"}
    )
    assert response.status_code == 302
    assert share.shares.get().area.name == "解放碑街道"
    assert "分解到街道" not in login("wanzhou").get(f"/targets/{plan.pk}/").content.decode()


def test_office_records_and_withdraws_an_incident(
    small_plan: Any, login: Any, users: dict[str, Any]
) -> None:
    plan = small_plan()
    item = plan.negative_items.get(number="F2")
    client = login("office_zfw")
    missing = client.post(
        f"/targets/{plan.pk}/negative/",
        {"item": item.pk, "target": "a:500101", "occurred_on": "2026-01-05", "description": "事故"},
    )
    assert missing.status_code == 422 and "请上传佐证材料" in missing.content.decode()
    ok = client.post(
        f"/targets/{plan.pk}/negative/",
        {
            "item": item.pk,
            "target": "a:500101",
            "occurred_on": "2026-01-05",
            "description": "某工地坍塌",
            "files": [SimpleUploadedFile("通报.pdf", PDF)],
        },
    )
    assert ok.status_code == 302
    incident = Incident.objects.get(plan=plan)
    assert Score.objects.get(plan=plan, area__code="500101").total == Decimal(95)
    # The district it is recorded against sees it but may not withdraw it (403); another district
    # does not see it (404).
    with pytest.raises(PermissionDenied, match="只有市委政法委考核办可以撤销认定"):
        services.incident_withdraw(actor=users["wanzhou"], incident=incident, reason="不服")
    with pytest.raises(NotFound):
        services.incident_withdraw(actor=users["yuzhong"], incident=incident, reason="不服")
    client.post(f"/targets/{plan.pk}/incidents/{incident.pk}/withdraw/", {"reason": "复核不属实"})
    assert Score.objects.get(plan=plan, area__code="500101").total == Decimal(100)
    assert login("unit_gaj").post(f"/targets/{plan.pk}/negative/", {}).status_code == 403
    # The district it was recorded against sees it; another district does not.
    assert "某工地坍塌" in login("wanzhou").get(f"/targets/{plan.pk}/negative/").content.decode()
    assert (
        "某工地坍塌" not in login("yuzhong").get(f"/targets/{plan.pk}/negative/").content.decode()
    )


def test_rule_page(small_plan: Any, login: Any) -> None:
    plan = small_plan()
    client = login("office_zfw")
    data = {
        "status": "active",
        "as_of": "2030-04-05",
        "risk_days": 15,
        "share_completion": "0.5",
        "share_timeliness": "0.3",
        "share_quality": "0.3",
        "return_penalty": "0.25",
        "veto_score": "0",
        "grade_excellent": "90",
        "grade_good": "80",
        "grade_pass": "60",
    }
    bad = client.post(f"/targets/{plan.pk}/rule/", data)
    assert bad.status_code == 200 and "之和须为 1" in bad.content.decode()
    data["share_quality"] = "0.2"
    assert client.post(f"/targets/{plan.pk}/rule/", data).status_code == 302
    plan = Plan.objects.get(pk=plan.pk)
    assert (plan.risk_days, str(plan.as_of)) == (15, "2030-04-05")
    assert Score.objects.get(plan=plan, unit__name="市公安局").computed_on == plan.as_of


def test_api_cell_and_multipart_report(small_plan: Any, client: Any, bearer: Any) -> None:
    plan = small_plan()
    a = Assignment.objects.get(plan=plan, task__number="3", kind="lead")
    headers = bearer("unit_gaj")
    cell = client.get(
        f"/api/v1/targets/plans/{plan.pk}/assignments/{a.pk}/reports", headers=headers
    ).json()
    assert [r["status"] for r in cell] == ["pending", "pending"]
    report_id = cell[0]["id"]
    response = client.post(
        f"/api/v1/targets/reports/{report_id}/submit",
        {
            "text": "已联网",
            "files": [SimpleUploadedFile("照片.png", PNG), SimpleUploadedFile("台账.pdf", PDF)],
        },
        headers=headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted" and body["version"] == 1
    names = sorted(f["name"] for f in body["events"][0]["evidence"])
    assert names == ["台账.pdf", "照片.png"]
    assert body["events"][0]["actor"] == "unit_gaj"
    assert Report.objects.get(pk=report_id).text == "已联网"
    late = client.get(f"/api/v1/targets/plans/{plan.pk}/late", headers=headers)
    assert late.status_code == 200 and late.json()["items"] == []
