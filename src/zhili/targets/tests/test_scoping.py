"""Scoping: a unit sees its own rows; a district its own and its streets'; the office all."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.core.errors import PermissionDenied
from zhili.targets import services
from zhili.targets.models import Assignment, Report


def _table(client: Any, headers: dict[str, str], plan: Any, by: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/targets/plans/{plan.pk}/table?by={by}", headers=headers)
    assert response.status_code == 200
    return response.json()


def test_unit_sees_its_own_rows(small_plan: Any, client: Any, bearer: Any) -> None:
    plan = small_plan()
    body = _table(client, bearer("unit_gaj"), plan, "unit")
    assert [c["label"] for c in body["columns"]] == ["市公安局"]
    assert [r["task"]["number"] for r in body["rows"]] == ["1", "3"]
    assert _table(client, bearer("unit_gaj"), plan, "district")["rows"] == []
    office = _table(client, bearer("office_zfw"), plan, "unit")
    assert [c["label"] for c in office["columns"]] == ["市住房城乡建委", "市公安局"]
    assert len(office["rows"]) == 3


def test_district_sees_its_own_and_its_streets(
    small_plan: Any, client: Any, bearer: Any, users: dict[str, Any]
) -> None:
    plan = small_plan()
    share = Assignment.objects.get(
        plan=plan, task__number="1", area__code="500103", unit__isnull=True
    )
    services.share_split(
        actor=users["yuzhong"], assignment=share, streets=[Area.objects.get(code="500103003")]
    )
    yz = _table(client, bearer("yuzhong"), plan, "district")
    assert [c["label"] for c in yz["columns"]] == ["渝中区", "解放碑街道"]
    assert [c["sub"] for c in yz["columns"]] == [False, True]
    wz = _table(client, bearer("wanzhou"), plan, "district")
    assert [c["label"] for c in wz["columns"]] == ["万州区"]
    assert [r["task"]["number"] for r in wz["rows"]] == ["1"]
    street = _table(client, bearer("jiefangbei"), plan, "district")
    assert [c["label"] for c in street["columns"]] == ["解放碑街道"]
    office = _table(client, bearer("office_zfw"), plan, "district")
    assert [c["label"] for c in office["columns"]] == [
        "万州区",
        "渝中区",
    ]  # streets under their district


def test_out_of_scope_cells_answer_404(
    small_plan: Any, login: Any, client: Any, bearer: Any
) -> None:
    plan = small_plan()
    wz = Assignment.objects.get(plan=plan, task__number="1", area__code="500101")
    assert login("yuzhong").get(f"/targets/{plan.pk}/c/{wz.pk}/").status_code == 404
    report = Report.objects.filter(assignment=wz).first()
    assert (
        client.get(f"/api/v1/targets/reports/{report.pk}", headers=bearer("unit_gaj")).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/targets/reports/{report.pk}", headers=bearer("wanzhou")).status_code
        == 200
    )


def test_ranking_is_scoped(small_plan: Any, client: Any, bearer: Any) -> None:
    plan = small_plan()
    url = f"/api/v1/targets/plans/{plan.pk}/ranking?by=unit"
    assert [i["name"] for i in client.get(url, headers=bearer("unit_gaj")).json()["items"]] == [
        "市公安局"
    ]
    assert len(client.get(url, headers=bearer("office_zfw")).json()["items"]) == 2
    url = f"/api/v1/targets/plans/{plan.pk}/ranking?by=district"
    assert [i["name"] for i in client.get(url, headers=bearer("wanzhou")).json()["items"]] == [
        "万州区"
    ]


def test_plans_are_listed_to_those_who_take_part(small_plan: Any, client: Any, bearer: Any) -> None:
    plan = small_plan()
    for who in ("office_zfw", "unit_gaj", "yuzhong", "jiefangbei"):
        items = client.get("/api/v1/targets/plans", headers=bearer(who)).json()["items"]
        assert [p["id"] for p in items] == [plan.pk], who
    assert client.get("/api/v1/targets/plans", headers=bearer("grid_jfb_01")).json()["items"] == []
    assert (
        client.get(f"/api/v1/targets/plans/{plan.pk}", headers=bearer("grid_jfb_01")).status_code
        == 404
    )
    assert client.get("/api/v1/targets/plans").status_code == 401


def test_pages_answer_for_every_role(small_plan: Any, login: Any, users: dict[str, Any]) -> None:
    plan = small_plan()
    for who in ("office_zfw", "unit_gaj", "yuzhong", "jiefangbei", "city_admin"):
        client = login(who)
        for url in (
            "/targets/",
            f"/targets/{plan.pk}/",
            f"/targets/{plan.pk}/?by=district",
            f"/targets/{plan.pk}/?by=period",
            f"/targets/{plan.pk}/ranking/?by=unit",
            f"/targets/{plan.pk}/ranking/",
            f"/targets/{plan.pk}/late/",
            f"/targets/{plan.pk}/negative/",
            f"/targets/{plan.pk}/export.xlsx",
            f"/targets/{plan.pk}/tasks/{plan.tasks.first().pk}/",
            "/targets/ranking/",
            "/targets/late/",
        ):
            response = client.get(url, follow=True)
            assert response.status_code == 200, (who, url)
    assert login("unit_gaj").get(f"/targets/{plan.pk}/rule/").status_code == 403
    # A district may do anything with targets in its district, but the plan's rule is the city's.
    assert login("yuzhong").get(f"/targets/{plan.pk}/rule/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.plan_rule_update(actor=users["yuzhong"], plan=plan, risk_days=3)
    assert login("office_zfw").get(f"/targets/{plan.pk}/rule/").status_code == 200


def test_navigation_shows_targets_to_everyone_taking_part(login: Any) -> None:
    for who in ("office_zfw", "unit_gaj", "yuzhong", "jiefangbei"):
        assert "打表推进" in login(who).get("/").content.decode(), who
    assert "打表推进" not in login("grid_jfb_01").get("/").content.decode()
