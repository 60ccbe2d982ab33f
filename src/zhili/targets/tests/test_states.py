"""Cell states across dates: not started → at risk → overdue, or on schedule → done."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhili.targets import selectors, services
from zhili.targets.evidence import Upload
from zhili.targets.models import Report
from zhili.targets.selectors import TableFilters, table_build
from zhili.targets.states import CellState, combine, milestone_state

from .conftest import PDF

DUE = dt.date(2030, 6, 30)


@pytest.mark.parametrize(
    ("status", "on", "state"),
    [
        ("pending", "2030-05-01", CellState.NOT_STARTED),
        ("pending", "2030-06-19", CellState.NOT_STARTED),  # 11 days before: not yet near
        ("pending", "2030-06-20", CellState.AT_RISK),  # within 10 days
        ("pending", "2030-06-30", CellState.AT_RISK),  # the due day itself
        ("pending", "2030-07-01", CellState.OVERDUE),
        ("submitted", "2030-05-01", CellState.ON_SCHEDULE),
        ("returned", "2030-05-01", CellState.ON_SCHEDULE),
        ("submitted", "2030-06-25", CellState.AT_RISK),  # not accepted yet
        ("submitted", "2030-07-02", CellState.OVERDUE),
        ("accepted", "2030-05-01", CellState.DONE),
        ("accepted", "2031-01-01", CellState.DONE),
    ],
)
def test_milestone_state(status: str, on: str, state: CellState) -> None:
    got = milestone_state(due=DUE, status=status, on=dt.date.fromisoformat(on), risk_days=10)
    assert got == state


def test_risk_days_are_configurable() -> None:
    on = dt.date(2030, 6, 1)
    assert milestone_state(due=DUE, status="pending", on=on, risk_days=10) == CellState.NOT_STARTED
    assert milestone_state(due=DUE, status="pending", on=on, risk_days=30) == CellState.AT_RISK


def test_a_cell_of_several_milestones_shows_the_most_urgent() -> None:
    D, Ov, R, S, N = (
        CellState.DONE,
        CellState.OVERDUE,
        CellState.AT_RISK,
        CellState.ON_SCHEDULE,
        CellState.NOT_STARTED,
    )
    assert combine([D, D]) == D
    assert combine([D, Ov, N]) == Ov
    assert combine([D, R]) == R
    assert combine([D, N]) == S  # some done, the rest not yet due: moving
    assert combine([N, N]) == N
    assert combine([S, N]) == S
    assert combine([]) is None


def _cell(plan: Any, user: Any, on: str, unit: str = "市公安局") -> Any:
    table = table_build(user, plan, TableFilters(by="unit", on=dt.date.fromisoformat(on)))
    col = [c.label for c in table.columns].index(unit)
    row = next(r for r in table.rows if r.task.number == "3")
    return row.cells[col]


def test_table_cells_across_dates(small_plan: Any, users: dict[str, Any], office: Any) -> None:
    plan = small_plan(dues=("2030-03-31", "2030-06-30"))
    gaj = users["unit_gaj"]
    assert _cell(plan, office, "2030-01-10").state == CellState.NOT_STARTED
    assert _cell(plan, office, "2030-03-25").state == CellState.AT_RISK
    assert _cell(plan, office, "2030-04-02").state == CellState.OVERDUE
    first = Report.objects.get(milestone__task__number="3", milestone__due="2030-03-31", plan=plan)
    services.report_submit(
        actor=gaj, report=first, text="方案已印发", uploads=[Upload("a.pdf", PDF)]
    )
    assert _cell(plan, office, "2030-01-10").state == CellState.ON_SCHEDULE
    services.report_review(actor=office, report=first, decision="accept")
    cell = _cell(plan, office, "2030-04-02")
    assert cell.state == CellState.ON_SCHEDULE and (cell.done, cell.total) == (1, 2)
    assert _cell(plan, office, "2030-06-25").state == CellState.AT_RISK
    assert _cell(plan, office, "2030-07-01").state == CellState.OVERDUE


def test_period_view_and_filters(small_plan: Any, office: Any) -> None:
    plan = small_plan(dues=("2030-03-31", "2030-06-30"))
    table = table_build(office, plan, TableFilters(by="period", on=dt.date(2030, 4, 2)))
    assert [c.label for c in table.columns] == ["3月", "6月"]
    assert {r.cells[0].state for r in table.rows} == {CellState.OVERDUE}
    assert {r.cells[1].state for r in table.rows} == {CellState.NOT_STARTED}
    only = table_build(office, plan, TableFilters(by="unit", method="智治", on=dt.date(2030, 4, 2)))
    assert [r.task.number for r in only.rows] == ["3"]
    assert [c.label for c in only.columns] == ["市公安局"]
    overdue = table_build(
        office, plan, TableFilters(by="district", state="overdue", on=dt.date(2030, 4, 2))
    )
    assert [r.task.number for r in overdue.rows] == ["1", "2"]
    none = table_build(office, plan, TableFilters(by="unit", state="done", on=dt.date(2030, 4, 2)))
    assert none.rows == []


def test_bad_filters_are_4xx(small_plan: Any, bearer: Any, client: Any) -> None:
    plan = small_plan()
    headers = bearer("office_zfw")
    assert (
        client.get(f"/api/v1/targets/plans/{plan.pk}/table?by=street", headers=headers).status_code
        == 422
    )
    r = client.get(f"/api/v1/targets/plans/{plan.pk}/table?state=late", headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_state"
    r = client.get(
        f"/api/v1/targets/plans/{plan.pk}/table?by=district&district=999999", headers=headers
    )
    assert r.status_code == 422


def test_plan_clock(small_plan: Any, office: Any) -> None:
    plan = small_plan(dues=("2030-03-31",))
    plan = services.plan_rule_update(actor=office, plan=plan, as_of=dt.date(2030, 4, 5))
    table = selectors.table_build(office, plan, TableFilters())
    assert table.on == dt.date(2030, 4, 5)
    assert table.counts == {"overdue": sum(len(r.cells) - r.cells.count(None) for r in table.rows)}
