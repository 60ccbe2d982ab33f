"""The visit pages (a cadre on a phone) and the API: same services, same rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhili.matters.models import Channel, Matter
from zhili.testing import factories as f
from zhili.visits.models import Demand, Status

pytestmark = pytest.mark.django_db


def test_cadre_records_a_visit_and_turns_a_demand_into_a_matter(login: Any, visit: Any) -> None:
    client = login("grid_jfb_01")
    mine = client.get("/visits/")
    assert mine.status_code == 200 and "1 号楼" in mine.content.decode()
    url = f"/visits/{visit.pk}/"
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"action": "resident", "r-name": "赵阿姨", "r-phone": "13911112222", "r-room": "301"}
    )
    assert r.status_code == 302
    resident = visit.residents.get()
    # Bad input: the form comes back with the message and what was typed.
    bad = client.post(url, {"action": "demand", "d-text": "电梯常坏", "d-category": ""})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "电梯常坏" in html and "invalid-feedback" in html
    r = client.post(
        url,
        {
            "action": "demand",
            "d-text": "电梯常坏，老人上下楼困难",
            "d-category": "streetlight",
            "d-resident": str(resident.pk),
            "d-to_matter": "on",
        },
    )
    assert r.status_code == 302
    matter = Matter.objects.get(pk=Demand.objects.get(visit=visit).matter_id)
    assert matter.channel == Channel.BUILDING_DAY
    page = client.get(url).content.decode()
    assert matter.number in page and "赵阿姨" not in page  # the resident shows masked
    matter_page = login("jiefangbei").get(f"/matters/{matter.number}/").content.decode()
    assert f"/visits/{visit.pk}/" in matter_page
    client = login("grid_jfb_01")
    r = client.post(url, {"action": "record", "version": visit.version, "summary": "现场会 12 人"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Status.DONE


def test_demand_converted_later_with_one_button(login: Any, visit: Any) -> None:
    client = login("grid_jfb_01")
    url = f"/visits/{visit.pk}/"
    client.post(url, {"action": "demand", "d-text": "垃圾桶不够", "d-category": "streetlight"})
    demand = Demand.objects.get(visit=visit)
    assert demand.matter_id is None
    client.post(url, {"action": "to_matter", "demand": demand.pk})
    demand.refresh_from_db()
    assert demand.matter is not None and demand.matter.channel == Channel.BUILDING_DAY
    again = client.post(url, {"action": "to_matter", "demand": demand.pk})
    assert again.status_code == 200 and "已转为事项" in again.content.decode()


def test_pages_answer_in_scope_and_hide_outside(login: Any, visit: Any) -> None:
    street = login("jiefangbei")
    for url in (
        "/visits/plans/",
        f"/visits/plans/{visit.plan_id}/",
        "/visits/report/",
        "/visits/liaisons/",
    ):
        assert street.get(url).status_code == 200, url
    far = login("wanzhou")
    assert far.get(f"/visits/{visit.pk}/").status_code == 404
    assert far.get(f"/visits/plans/{visit.plan_id}/").status_code == 404


def test_api_plan_visit_record_and_demand_to_matter(client: Any, bearer: Any) -> None:
    street, cadre = bearer("jiefangbei"), bearer("grid_jfb_01")
    r = client.post(
        "/api/v1/visits/plans",
        data=json.dumps(
            {
                "title": "API 计划",
                "cadre": "grid_jfb_01",
                "area": f.GRID,
                "visits": [{"building": f.BUILDING, "date": "2026-12-01"}],
            }
        ),
        content_type="application/json",
        headers=street,
    )
    assert r.status_code == 201, r.content
    plan = r.json()
    visits = client.get(f"/api/v1/visits/records?plan={plan['id']}", headers=cadre).json()["items"]
    vid = visits[0]["id"]
    assert visits[0]["actions"] == ["record"]
    r = client.post(
        f"/api/v1/visits/records/{vid}/residents",
        data=json.dumps({"name": "钱大爷", "phone": "13700001111"}),
        content_type="application/json",
        headers=cadre,
    )
    assert r.status_code == 201 and r.json()["residents"][0]["name"] == "钱**"
    rid = r.json()["residents"][0]["id"]
    r = client.post(
        f"/api/v1/visits/records/{vid}/demands",
        data=json.dumps({"text": "路灯不亮", "category": "streetlight", "resident": rid}),
        content_type="application/json",
        headers=cadre,
    )
    demand = r.json()["demands"][0]
    assert demand["matter"] is None
    r = client.post(f"/api/v1/visits/records/{vid}/demands/{demand['id']}/matter", headers=cadre)
    assert r.status_code == 200
    number = r.json()["demands"][0]["matter"]
    assert Matter.objects.get(number=number).channel == Channel.BUILDING_DAY
    again = client.post(
        f"/api/v1/visits/records/{vid}/demands/{demand['id']}/matter", headers=cadre
    )
    assert again.status_code == 409 and again.json()["code"] == "already_converted"
    r = client.post(
        f"/api/v1/visits/records/{vid}/record",
        data=json.dumps({"summary": "完成", "version": 0}),
        content_type="application/json",
        headers=cadre,
    )
    assert r.status_code == 409
    r = client.post(
        f"/api/v1/visits/records/{vid}/record",
        data=json.dumps({"summary": "完成"}),
        content_type="application/json",
        headers=cadre,
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    bad = client.post(
        "/api/v1/visits/plans",
        data=json.dumps({"title": "", "cadre": "grid_jfb_01", "area": f.GRID}),
        content_type="application/json",
        headers=street,
    )
    assert bad.status_code == 422 and bad.json()["code"] == "required"
    assert client.get(f"/api/v1/visits/records/{vid}", headers=bearer("wanzhou")).status_code == 404
    fig = client.get("/api/v1/visits/figures?month=2026-12", headers=street).json()
    assert fig["total"]["done"] == 1 and fig["total"]["matters"] == 1
    assert client.get("/api/v1/visits/liaisons", headers=bearer("yuzhong")).json()["warnings"] == 0
