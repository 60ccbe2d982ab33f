"""The compounds pages (the street office's desktop) and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from zhili.compounds.models import Compound, FollowUpStatus, Meeting
from zhili.testing import factories as f

pytestmark = pytest.mark.django_db

COMMUNITY = "500103003013"


def test_register_a_compound_and_record_a_meeting_on_the_pages(login: Any) -> None:
    client = login("jiefangbei")
    r = client.post(
        "/compounds/new/",
        {"name": "大井巷 5 号院", "area": COMMUNITY, "coverage": "none", "households": "80"},
    )
    assert r.status_code == 302
    c = Compound.objects.get(name="大井巷 5 号院")
    assert client.get("/compounds/").status_code == 200
    assert client.get(f"/compounds/{c.pk}/").status_code == 200
    form = client.get(f"/compounds/{c.pk}/meetings/new/?kind=five").content.decode()
    assert 'value="owners" selected' in form and 'value="police" selected' in form
    matter = f.make_matter("jiefangbei")
    today = timezone.localdate().isoformat()
    data = {
        "kind": "five",
        "held_on": today,
        "topic": "屋顶漏水",
        "decisions": "维修基金 + 社区补助",
        "total_cost": "3000",
        "party_0_role": "community",
        "party_0_name": "民生路社区居委会",
        "party_0_share": "1000",
        "party_0_people": "王主任 主任；李干事",
        "party_1_role": "owners",
        "party_1_name": "业委会",
        "party_1_share": "1999",
        "task_0_text": "请施工队报价",
        "task_0_owner": "1",
        "task_0_due": today,
        "matters": matter.number,
    }
    bad = client.post(f"/compounds/{c.pk}/meetings/new/", data)
    assert bad.status_code == 200
    assert "与费用合计 3000.00 元不符" in bad.content.decode()
    assert "屋顶漏水" in bad.content.decode()  # nothing typed is lost
    data["party_1_share"] = "2000"
    r = client.post(f"/compounds/{c.pk}/meetings/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    m = Meeting.objects.get(compound=c)
    page = client.get(f"/compounds/meetings/{m.pk}/").content.decode()
    assert "王主任" in page and matter.number in page and "请施工队报价" in page
    task = m.followups.get()
    assert task.owner.name == "业委会"
    r = client.post(
        f"/compounds/meetings/{m.pk}/",
        {
            "action": "complete",
            "followup": task.pk,
            "c-version": task.version,
            "c-result": "已报价",
        },
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == FollowUpStatus.DONE
    assert client.get("/compounds/meetings/").status_code == 200
    assert login("wanzhou").get(f"/compounds/meetings/{m.pk}/").status_code == 404


def test_api_registry_meeting_shares_and_tasks(client: Any, bearer: Any) -> None:
    street = bearer("jiefangbei")

    def post(url: str, body: dict[str, Any]) -> Any:
        return client.post(
            url, data=json.dumps(body), content_type="application/json", headers=street
        )

    r = post("/api/v1/compounds", {"name": "较场口 2 号院", "area": COMMUNITY, "coverage": "self"})
    assert r.status_code == 201, r.content
    cid = r.json()["id"]
    assert (
        client.get(f"/api/v1/compounds/{cid}", headers=street).json()["coverage_label"]
        == "自治管理"
    )
    assert (
        client.get("/api/v1/compounds/coverage", headers=street).json()["by_coverage"]["self"] == 1
    )
    meeting = {
        "compound": cid,
        "kind": "three",
        "held_on": timezone.localdate().isoformat(),
        "topic": "停车管理",
        "decisions": "划线收费",
        "total_cost": "500",
        "parties": [
            {"role": "community", "name": "居委会", "share": "200"},
            {"role": "owners", "name": "业委会", "share": "200"},
        ],
        "followups": [{"text": "划线", "owner": 1, "due": timezone.localdate().isoformat()}],
    }
    r = post("/api/v1/compounds/meetings", meeting)
    assert r.status_code == 422 and r.json()["code"] == "shares_mismatch"
    meeting["parties"][1]["share"] = "300"
    r = post("/api/v1/compounds/meetings", meeting)
    assert r.status_code == 201, r.content
    body = r.json()
    assert [p["share"] for p in body["parties"]] == ["200.00", "300.00"]
    task = body["followups"][0]
    assert task["actions"] == ["complete"]
    matter = f.make_matter("jiefangbei")
    r = post(f"/api/v1/compounds/meetings/{body['id']}/matters", {"matter": matter.number})
    assert r.json()["matters"][0]["number"] == matter.number
    r = post(f"/api/v1/compounds/followups/{task['id']}/complete", {"result": "已划线"})
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = post(f"/api/v1/compounds/followups/{task['id']}/complete", {"result": "again"})
    assert r.status_code == 409
    far = bearer("wanzhou")
    assert client.get(f"/api/v1/compounds/meetings/{body['id']}", headers=far).status_code == 404
    assert client.get(f"/api/v1/compounds/{cid}", headers=far).status_code == 404


def test_audit_page_reads_every_record_in_words(login: Any) -> None:
    """Every audit record these modules write has a Chinese label (a missing one raises)."""
    from zhili.visits import services as vs

    visit = f.make_visit("jiefangbei", demand="路灯坏")
    vs.resident_add(actor=f.user("grid_jfb_01"), visit=visit, name="孙某", phone="13800000000")
    vs.demand_to_matter(actor=f.user("grid_jfb_01"), demand=visit.demands.get())
    vs.visit_reveal(actor=f.user("jiefangbei"), visit=visit)
    vs.visit_record(actor=f.user("grid_jfb_01"), visit=visit, summary="完成")
    meeting = f.make_meeting("jiefangbei")
    from zhili.compounds import services as cs

    cs.meeting_link_matter(actor=f.user("jiefangbei"), meeting=meeting, matter=f.make_matter())
    cs.followup_complete(
        actor=f.user("jiefangbei"), followup=meeting.followups.get(), result="完成"
    )
    cs.compound_update(actor=f.user("jiefangbei"), compound=meeting.compound, households=99)
    page = login("city_admin").get("/audit/?q=")
    assert page.status_code == 200
    html = page.content.decode()
    for label in (
        "走访计划 · 新建",
        "走访 · 诉求转为事项",
        "走访 · 记录走访",
        "老旧小区 · 登记",
        "老旧小区 · 修改",
        "联席会议 · 记录会议",
        "联席会议 · 关联诉求",
        "会议任务 · 完成任务",
    ):
        assert label in html, label
