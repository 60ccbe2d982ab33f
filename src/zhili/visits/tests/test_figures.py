"""Every figure of the counts page, the weekly contact check, the monthly bulletin and its xlsx,
recomputed here from the facts (the visit rows, their residents, demands and matters)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone

from zhili.matters import services as ms
from zhili.matters.models import Category
from zhili.testing import factories as f
from zhili.visits import figures, services
from zhili.visits.models import Demand, Resident, Status, Visit

pytestmark = pytest.mark.django_db


def previous_month() -> tuple[dt.date, dt.date]:
    first = timezone.localdate().replace(day=1)
    return figures.month_of(
        (first - dt.timedelta(days=1)).year, (first - dt.timedelta(days=1)).month
    )


def scenario() -> tuple[dt.date, dt.date]:
    """Two cadres' visits over last month: done, missed, overdue; residents, demands, matters,
    one of them closed on the spot; one visit outside the month."""
    start, end = previous_month()
    street = f.user("jiefangbei")
    grid, me = f.user("grid_jfb_01"), street
    building = f.area(f.BUILDING)
    p1 = services.plan_create(actor=street, cadre=grid, area=f.area(f.GRID), title="网格员计划")
    p2 = services.plan_create(actor=street, cadre=me, area=f.area(f.JIEFANGBEI), title="街道计划")
    cat = Category.objects.get(code="streetlight")
    days = [start + dt.timedelta(days=n) for n in (0, 8, 15, 22)]
    v = [services.visit_schedule(actor=street, plan=p1, building=building, date=d) for d in days]
    services.visit_record(actor=grid, visit=v[0], visited_on=days[0])
    services.visit_record(actor=grid, visit=v[1], visited_on=days[1])
    services.visit_miss(actor=street, visit=v[2], reason="封控")
    # v[3] stays planned: overdue.
    r = services.resident_add(actor=grid, visit=v[0], name="张一", phone="13800000001")
    services.resident_add(actor=grid, visit=v[0], name="张二")
    services.resident_add(actor=grid, visit=v[1], name="张三")
    d1 = services.demand_add(
        actor=grid, visit=v[0], text="路灯坏", category=cat, resident=r, to_matter=True
    )
    services.demand_add(actor=grid, visit=v[1], text="想加装电梯", category=cat)
    d1.refresh_from_db()
    ms.matter_self_handle(
        actor=grid, matter=d1.matter, result="已更换灯泡", attachments=[f.make_attachment()]
    )
    w = services.visit_schedule(actor=street, plan=p2, building=building, date=days[1])
    services.visit_record(actor=me, visit=w, visited_on=days[1] + dt.timedelta(days=1))
    services.demand_add(actor=me, visit=w, text="楼道堆物", category=cat, to_matter=True)
    services.visit_schedule(
        actor=street, plan=p2, building=building, date=end + dt.timedelta(days=3)
    )
    return start, end


def expected(start: dt.date, end: dt.date, key: str) -> dict[str, dict[str, Any]]:
    """The figures by hand: one pass over the visit rows."""
    today = timezone.localdate()
    out: dict[str, dict[str, Any]] = {}
    for v in Visit.objects.filter(date__gte=start, date__lte=end):
        k = str(getattr(v, key))
        row = out.setdefault(
            k,
            dict.fromkeys(
                (
                    "planned",
                    "done",
                    "missed",
                    "overdue",
                    "residents",
                    "demands",
                    "matters",
                    "solved",
                ),
                0,
            ),
        )
        row["planned"] += 1
        row["done"] += v.status == Status.DONE
        row["missed"] += v.status == Status.MISSED
        row["overdue"] += v.status == Status.PLANNED and v.date < today
        row["residents"] += Resident.objects.filter(visit=v).count()
        for d in Demand.objects.filter(visit=v).select_related("matter"):
            row["demands"] += 1
            row["matters"] += d.matter_id is not None
            row["solved"] += bool(d.matter and d.matter.status in ("closed", "rated"))
    return out


def test_counts_per_cadre_and_per_street_recomputed() -> None:
    start, end = scenario()
    fig = figures.figures(f.user("jiefangbei"), start, end)
    for rows, key in ((fig.by_cadre, "cadre_id"), (fig.by_street, "street_code")):
        want = expected(start, end, key)
        assert {r.key for r in rows} == set(want)
        for r in rows:
            for name, value in want[r.key].items():
                assert getattr(r, name) == value, (r.name, name)
            assert r.rate is None or 0 <= r.rate <= 100
            assert r.rate == (round(100 * r.done / r.due, 1) if r.due else None)
    grid = next(r for r in fig.by_cadre if r.key == str(f.user("grid_jfb_01").pk))
    assert (grid.planned, grid.done, grid.missed, grid.overdue) == (4, 2, 1, 1)
    assert (grid.residents, grid.demands, grid.matters, grid.solved) == (3, 2, 1, 1)
    assert grid.rate == 50.0
    assert fig.by_street[0].name == "解放碑街道" and fig.by_street[0].planned == 5
    assert fig.total.planned == 5 and fig.total.done == 3
    # Out of scope: nothing.
    assert figures.figures(f.user("wanzhou"), start, end).by_cadre == []


def test_weekly_contact_counts_weeks_with_a_visit_made() -> None:
    start, end = scenario()
    fig = figures.figures(f.user("jiefangbei"), start, end)
    weeks = figures._week_starts(start, end)
    done = Visit.objects.filter(status=Status.DONE, visited_on__gte=start, visited_on__lte=end)
    for r in fig.by_cadre:
        made = {
            v.visited_on - dt.timedelta(days=v.visited_on.weekday())
            for v in done
            if str(v.cadre_id) == r.key
        }
        assert r.weeks == len(weeks) and r.contact_weeks == len(made)
        assert r.weekly_ok == (len(made) >= len(weeks))
    # One week: the week of the first visit.
    monday, sunday = figures.week_of(start)
    week = figures.figures(f.user("jiefangbei"), monday, sunday)
    grid = next(r for r in week.by_cadre if r.key == str(f.user("grid_jfb_01").pk))
    assert grid.weeks == 1 and grid.contact_weeks == 1 and grid.weekly_ok


def test_bulletin_page_and_xlsx_show_the_same_figures(login: Any) -> None:
    from openpyxl import load_workbook

    start, end = scenario()
    client = login("jiefangbei")
    page = client.get(f"/visits/report/?month={start:%Y-%m}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "解放碑网格员01" in html and "50.0%" in html
    response = client.get(f"/visits/report.xlsx?month={start:%Y-%m}")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    fig = figures.figures(f.user("jiefangbei"), start, end)
    sheet = wb["按走访干部"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    for r in fig.by_cadre:
        got = rows[r.name]
        assert list(got[1:5]) == [r.planned, r.done, r.missed, r.overdue]
        assert got[5] == ("" if r.rate is None else r.rate) or got[5] is None
        assert list(got[7:11]) == [r.residents, r.demands, r.matters, r.solved]
    assert rows["合计"][1] == fig.total.planned
    streets = {r[0]: r for r in wb["按街道"].iter_rows(min_row=3, values_only=True)}
    assert streets["解放碑街道"][1] == 5
    weekly = client.get(f"/visits/report/?week={start:%Y-%m-%d}")
    assert weekly.status_code == 200 and "每周联系" in weekly.content.decode()


def test_weekly_minimum_is_configurable() -> None:
    from django.test import override_settings

    start, end = scenario()
    grid = str(f.user("grid_jfb_01").pk)
    before = next(
        r for r in figures.figures(f.user("jiefangbei"), start, end).by_cadre if r.key == grid
    )
    assert before.contact_weeks == 2  # two weeks with one visit made each
    with override_settings(ZHILI_VISITS_WEEKLY_MIN=2):
        after = next(
            r for r in figures.figures(f.user("jiefangbei"), start, end).by_cadre if r.key == grid
        )
    assert after.contact_weeks == 0 and not after.weekly_ok
