"""The 打表 table reads a fixed number of queries whatever its size: pinned at 108 tasks × 41
assignees (4 units and the 37 districts, 4 milestones each: 17,712 cells' reports)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.models import Area
from zhili.core.system import system_user
from zhili.org.models import UnitType
from zhili.org.services import unit_create
from zhili.targets.services import plan_import

from .conftest import workbook

# Session, user, grants, plan, the user's unit path (once), the two filter lists, assignments,
# tasks, milestones, reports (the session is saved at most once a minute since issue 17, not on
# every page: 3 fewer). The office reports nothing, so it has no
# warnings to read; a unit's page without a choice of columns reads its warnings and what it holds
# (+2).
# The API: token, grants, unit path, plan, assignments, tasks, milestones, reports.
# +1 since the inbox badge (one COUNT per page) landed with the matters module.
PAGE_QUERIES = {"unit": 11, "district": 11, "period": 11}
API_QUERIES = 7


def _plan(office: Any, year: int, tasks: int, *, units: bool = True) -> Any:
    city = Area.objects.get(code="500000")
    for name in ("市民政局", "市司法局"):
        if not city.units.filter(name=name).exists():
            unit_create(actor=system_user(), name=name, type=UnitType.DEPARTMENT, area=city)
    methods = ["政治", "自治", "法治", "德治", "智治", "综治"]
    rows = [
        [
            str(i),
            methods[i % 6],
            f"目标任务 {i}",
            "",
            1,
            "市公安局",
            "市住房城乡建委、市民政局、市司法局",
            "全部",
            f"{year}-12-31",
        ]
        for i in range(1, tasks + 1)
    ]
    ms = [
        [str(i), q, "", ""]
        for i in range(1, tasks + 1)
        for q in ("一季度", "二季度", "三季度", "四季度")
    ]
    return plan_import(
        actor=office, year=year, title="", data=workbook(rows, ms), filename="big.xlsx"
    )


def _count(client: Any, url: str, **headers: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("by", ["unit", "district", "period"])
def test_table_page_queries_do_not_grow(by: str, office: Any, login: Any) -> None:
    small = _plan(office, 2030, 2)
    big = _plan(office, 2031, 108)
    client = login("office_zfw")
    client.get(f"/targets/{small.pk}/")  # warm the session
    n_small, _ = _count(client, f"/targets/{small.pk}/?by={by}")
    n_big, response = _count(client, f"/targets/{big.pk}/?by={by}")
    assert n_small == n_big == PAGE_QUERIES[by]
    html = response.content.decode()
    cells = {"unit": 108 * 4, "district": 108 * 37, "period": 108 * 4}[by]
    assert html.count('<td class="s-') == cells
    assert "任务（108 项）" in html


def test_table_api_queries_do_not_grow(office: Any, client: Any, bearer: Any) -> None:
    small = _plan(office, 2030, 2)
    big = _plan(office, 2031, 108)
    headers = bearer("office_zfw")
    client.get("/api/v1/targets/plans", headers=headers)  # the token's first use is recorded once
    n_small, _ = _count(
        client, f"/api/v1/targets/plans/{small.pk}/table?by=district", headers=headers
    )
    n_big, response = _count(
        client, f"/api/v1/targets/plans/{big.pk}/table?by=district", headers=headers
    )
    assert n_small == n_big == API_QUERIES
    body = response.json()
    assert len(body["rows"]) == 108 and len(body["columns"]) == 37
    assert sum(body["counts"].values()) == 108 * 37


def test_unit_view_of_the_big_table(office: Any, login: Any) -> None:
    small = _plan(office, 2030, 2)
    big = _plan(office, 2031, 108)
    client = login("unit_gaj")
    client.get("/targets/")
    n_small, _ = _count(client, f"/targets/{small.pk}/")
    n, response = _count(client, f"/targets/{big.pk}/")
    # + its warnings, + which columns it opens on (the kinds of assignee it holds).
    assert n_small == n == PAGE_QUERIES["unit"] + 2
    assert response.content.decode().count('<td class="s-') == 108
