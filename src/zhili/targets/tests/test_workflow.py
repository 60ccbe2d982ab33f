"""Reporting and review: every step an event with its author and time; bad input answers clearly
and loses nothing."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent
from zhili.targets import services
from zhili.targets.evidence import Upload
from zhili.targets.models import Evidence, Report, ReportEvent

from .conftest import PDF, PNG


def _report(plan: Any, unit: str, number: str) -> Report:
    return (
        Report.objects.filter(plan=plan, unit__name=unit, milestone__task__number=number)
        .order_by("milestone__due")
        .first()
    )


def test_submit_return_resubmit_accept(small_plan: Any, users: dict[str, Any], office: Any) -> None:
    plan = small_plan()
    gaj = users["unit_gaj"]
    r = _report(plan, "市公安局", "3")
    services.report_submit(
        actor=gaj, report=r, text="视频联网 80%", uploads=[Upload("台账.pdf", PDF)]
    )
    services.report_review(actor=office, report=r, decision="return", comment="请补充现场照片")
    services.report_submit(
        actor=gaj, report=r, text="已补充照片", uploads=[Upload("照片.png", PNG)]
    )
    services.report_review(actor=office, report=r, decision="accept", comment="同意")
    r.refresh_from_db()
    assert (r.status, r.returns, r.version) == ("accepted", 1, 4)
    events = list(r.events.order_by("id"))
    assert [(e.action, e.actor_name, e.from_status, e.to_status) for e in events] == [
        ("submit", "unit_gaj", "pending", "submitted"),
        ("return", "office_zfw", "submitted", "returned"),
        ("submit", "unit_gaj", "returned", "submitted"),
        ("accept", "office_zfw", "submitted", "accepted"),
    ]
    assert all(e.at is not None for e in events)
    # The resubmission keeps the earlier file and adds the new one.
    assert sorted(f.original_name for f in events[2].evidence.all()) == ["台账.pdf", "照片.png"]
    assert AuditEvent.objects.filter(object_type="targets.report", object_id=str(r.pk)).count() == 4
    with pytest.raises(RuntimeError):
        events[0].save()
    with pytest.raises(RuntimeError):
        ReportEvent.objects.filter(report=r).delete()


def test_a_report_on_a_task_the_unit_does_not_hold(small_plan: Any, users: dict[str, Any]) -> None:
    plan = small_plan()
    other = _report(plan, "市住房城乡建委", "2")
    with pytest.raises(NotFound, match="不在您的管辖范围内"):
        services.report_submit(
            actor=users["unit_gaj"], report=other, text="x", uploads=[Upload("a.pdf", PDF)]
        )
    other.refresh_from_db()
    assert other.status == "pending" and not other.events.exists()


def test_api_answers_404_for_someone_elses_report(
    small_plan: Any, client: Any, bearer: Any
) -> None:
    plan = small_plan()
    other = _report(plan, "市住房城乡建委", "2")
    response = client.post(
        f"/api/v1/targets/reports/{other.pk}/submit",
        {"text": "代报"},
        headers=bearer("unit_gaj"),
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_holder"


def test_review_needs_the_right(small_plan: Any, users: dict[str, Any], office: Any) -> None:
    plan = small_plan()
    r = _report(plan, "市公安局", "3")
    services.report_submit(
        actor=users["unit_gaj"], report=r, text="完成", uploads=[Upload("a.pdf", PDF)]
    )
    with pytest.raises(PermissionDenied):
        services.report_review(actor=users["unit_gaj"], report=r, decision="accept")
    # A district officer may not review a city unit's report (it is reviewed a level up).
    district = Report.objects.filter(plan=plan, area_path="500000/500103/").first()
    services.report_submit(
        actor=users["yuzhong"], report=district, text="完成", uploads=[Upload("a.pdf", PDF)]
    )
    with pytest.raises(PermissionDenied):
        services.report_review(actor=users["yuzhong"], report=district, decision="accept")
    with pytest.raises(ValidationFailed, match="退回理由"):
        services.report_review(actor=office, report=r, decision="return", comment=" ")
    with pytest.raises(Conflict):
        services.report_review(actor=office, report=r, decision="accept", version=0)
    r.refresh_from_db()
    assert r.status == "submitted" and r.events.count() == 1


def test_api_review_by_a_unit_is_403(
    small_plan: Any, users: dict[str, Any], client: Any, bearer: Any
) -> None:
    plan = small_plan()
    r = _report(plan, "市公安局", "3")
    services.report_submit(
        actor=users["unit_gaj"], report=r, text="完成", uploads=[Upload("a.pdf", PDF)]
    )
    response = client.post(
        f"/api/v1/targets/reports/{r.pk}/review",
        {"decision": "accept"},
        content_type="application/json",
        headers=bearer("unit_gaj"),
    )
    assert response.status_code == 403
    ok = client.post(
        f"/api/v1/targets/reports/{r.pk}/review",
        {"decision": "accept", "comment": "好"},
        content_type="application/json",
        headers=bearer("office_zfw"),
    )
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    again = client.post(
        f"/api/v1/targets/reports/{r.pk}/review",
        {"decision": "return", "comment": "再看看"},
        content_type="application/json",
        headers=bearer("office_zfw"),
    )
    assert again.status_code == 409


def test_evidence_of_a_wrong_type_is_refused_and_nothing_is_written(
    small_plan: Any, users: dict[str, Any], client: Any, bearer: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = small_plan()
    r = _report(plan, "市公安局", "3")
    before = Evidence.objects.count()
    with pytest.raises(ValidationFailed, match="不是允许的文件类型"):
        services.report_submit(
            actor=users["unit_gaj"],
            report=r,
            text="进展",
            uploads=[Upload("ok.pdf", PDF), Upload("病毒.pdf", b"MZ\x90\x00 not a pdf")],
        )
    response = client.post(
        f"/api/v1/targets/reports/{r.pk}/submit",
        {"text": "进展", "files": [SimpleUploadedFile("脚本.png", b"<script>alert(1)</script>")]},
        headers=bearer("unit_gaj"),
    )
    assert response.status_code == 422 and response.json()["code"] == "evidence_type"
    r.refresh_from_db()
    assert r.status == "pending" and not r.events.exists()
    assert Evidence.objects.count() == before


def test_evidence_required_and_text_required(small_plan: Any, users: dict[str, Any]) -> None:
    plan = small_plan()
    r = _report(plan, "市公安局", "3")
    with pytest.raises(ValidationFailed, match="佐证材料"):
        services.report_submit(actor=users["unit_gaj"], report=r, text="进展", uploads=[])
    with pytest.raises(ValidationFailed, match="进展情况"):
        services.report_submit(
            actor=users["unit_gaj"], report=r, text="  ", uploads=[Upload("a.pdf", PDF)]
        )
    services.report_submit(
        actor=users["unit_gaj"], report=r, text="进展", uploads=[Upload("a.pdf", PDF)]
    )
    with pytest.raises(Conflict, match="待审核"):
        services.report_submit(
            actor=users["unit_gaj"], report=r, text="再报", uploads=[Upload("a.pdf", PDF)]
        )


def test_evidence_is_stored_once_by_hash_and_served_only_in_scope(
    small_plan: Any, users: dict[str, Any], login: Any
) -> None:
    plan = small_plan()
    gaj = users["unit_gaj"]
    r1, r2 = _report(plan, "市公安局", "3"), _report(plan, "市公安局", "1")
    services.report_submit(actor=gaj, report=r1, text="a", uploads=[Upload("一.pdf", PDF)])
    services.report_submit(actor=gaj, report=r2, text="b", uploads=[Upload("二.pdf", PDF)])
    assert Evidence.objects.filter(size=len(PDF)).count() == 1
    sha = Evidence.objects.get(size=len(PDF)).sha256
    response = login("unit_gaj").get(f"/targets/evidence/{sha}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert login("wanzhou").get(f"/targets/evidence/{sha}/").status_code == 404


def test_report_page_keeps_the_text_when_the_file_is_wrong(small_plan: Any, login: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    plan = small_plan()
    r = _report(plan, "市公安局", "3")
    client = login("unit_gaj")
    response = client.post(
        f"/targets/reports/{r.pk}/submit/",
        {"text": "本季度完成视频联网 95%", "files": [SimpleUploadedFile("x.exe", b"MZ\x90")]},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "不是允许的文件类型" in text and "本季度完成视频联网 95%" in text
    ok = client.post(
        f"/targets/reports/{r.pk}/submit/",
        {
            "text": "本季度完成视频联网 95%",
            "files": [SimpleUploadedFile("台账.pdf", PDF)],
            "next": "/targets/",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == "/targets/"
    r.refresh_from_db()
    assert r.status == "submitted"


def test_office_reviews_through_the_page(
    small_plan: Any, users: dict[str, Any], login: Any
) -> None:
    plan = small_plan()
    r = _report(plan, "市公安局", "3")
    services.report_submit(
        actor=users["unit_gaj"], report=r, text="完成", uploads=[Upload("a.pdf", PDF)]
    )
    client = login("office_zfw")
    page = client.get(f"/targets/{plan.pk}/c/{r.assignment_id}/", HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and "提交审核意见" in page.content.decode()
    assert "报送进展" not in page.content.decode()  # the office reviews, it does not report
    bad = client.post(f"/targets/reports/{r.pk}/review/", {"decision": "return", "comment": ""})
    assert bad.status_code == 422 and "退回理由" in bad.content.decode()
    done = client.post(
        f"/targets/reports/{r.pk}/review/", {"decision": "return", "comment": "补材料"}
    )
    assert done.status_code == 302
    r.refresh_from_db()
    assert r.status == "returned"


def test_district_splits_among_its_streets(
    small_plan: Any, users: dict[str, Any], office: Any
) -> None:
    from zhili.areas.models import Area
    from zhili.targets.models import Assignment

    plan = small_plan()
    share = Assignment.objects.get(
        plan=plan, task__number="1", area__code="500103", unit__isnull=True
    )
    jfb, qxg = Area.objects.get(code="500103003"), Area.objects.get(code="500103001")
    with pytest.raises(NotFound):  # another district does not even see the share
        services.share_split(actor=users["wanzhou"], assignment=share, streets=[jfb])
    with pytest.raises(ValidationFailed, match="不是"):
        services.share_split(
            actor=users["yuzhong"], assignment=share, streets=[Area.objects.get(code="500101001")]
        )
    rows = services.share_split(
        actor=users["yuzhong"], assignment=share, streets=[jfb, qxg], note="按辖区"
    )
    assert {r.area.code for r in rows} == {"500103003", "500103001"}
    street_report = Report.objects.filter(assignment__area=jfb, plan=plan).first()
    # The street reports; its district (the level above) reviews.
    services.report_submit(
        actor=users["jiefangbei"], report=street_report, text="完成", uploads=[Upload("a.pdf", PDF)]
    )
    services.report_review(actor=users["yuzhong"], report=street_report, decision="accept")
    street_report.refresh_from_db()
    assert street_report.status == "accepted"
    with pytest.raises(ValidationFailed, match="已分到"):
        services.share_split(actor=users["yuzhong"], assignment=share, streets=[jfb])


def test_a_refused_review_speaks_the_pages_language() -> None:
    """The reasons a report or a review is refused were Chinese on the English page."""
    from django.utils import translation

    from zhili.core.errors import ValidationFailed
    from zhili.targets import steps

    with translation.override("en"):
        with pytest.raises(ValidationFailed, match=r"^Please give the reason for returning it$"):
            steps.review_comment("return", " ")
        with pytest.raises(ValidationFailed, match=r"^Review comment may not exceed 5000"):
            steps.review_comment("accept", "x" * 5001)
        with pytest.raises(ValidationFailed, match=r"^Please describe the progress$"):
            steps.submit_text("")
