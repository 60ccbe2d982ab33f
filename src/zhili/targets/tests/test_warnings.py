"""Warnings before milestones, overdue flags (once each), the late list, the export and the demo."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from zhili.targets import services
from zhili.targets.evidence import Upload
from zhili.targets.models import Reminder, Report
from zhili.targets.selectors import late_by_assignee, late_list
from zhili.targets.states import PALETTE, CellState
from zhili.targets.tasks import targets_warn

from .conftest import PDF


def test_reminders_are_sent_once(small_plan: Any, office: Any, users: dict[str, Any]) -> None:
    plan = small_plan(dues=("2030-03-31", "2030-06-30"))
    counts = services.reminders_send(plan=plan, on=dt.date(2030, 3, 25))
    # 3 tasks: task 1 held by 2 units + 2 districts, task 2 by 1 unit + 1 district, task 3 by 1.
    assert counts == {"due_soon": 7, "overdue": 0}
    assert services.reminders_send(plan=plan, on=dt.date(2030, 3, 26)) == {
        "due_soon": 0,
        "overdue": 0,
    }
    report = Report.objects.get(
        plan=plan, unit__name="市公安局", milestone__task__number="3", milestone__due="2030-03-31"
    )
    services.report_submit(
        actor=users["unit_gaj"], report=report, text="完成", uploads=[Upload("a.pdf", PDF)]
    )
    services.report_review(actor=office, report=report, decision="accept")
    assert services.reminders_send(plan=plan, on=dt.date(2030, 4, 1)) == {
        "due_soon": 0,
        "overdue": 6,
    }
    assert Reminder.objects.filter(report=report, kind="overdue").count() == 0
    assert Reminder.objects.filter(report__plan=plan).count() == 13


def test_the_task_warns_and_refreshes_scores(small_plan: Any, office: Any) -> None:
    plan = small_plan(dues=("2030-03-31",))
    services.plan_rule_update(actor=office, plan=plan, as_of=dt.date(2030, 4, 2))
    result = targets_warn.call(plan_id=plan.pk)
    assert result == {"2030": {"due_soon": 0, "overdue": 7}}
    assert targets_warn.call(plan_id=plan.pk) == {"2030": {"due_soon": 0, "overdue": 0}}
    out = io.StringIO()
    call_command("targets_warn", plan=plan.pk, stdout=out)
    assert "逾期督办 0 条" in out.getvalue()


def test_units_see_their_warnings(small_plan: Any, login: Any, office: Any) -> None:
    plan = small_plan(dues=("2030-03-31",))
    plan = services.plan_rule_update(actor=office, plan=plan, as_of=dt.date(2030, 3, 25))
    services.reminders_send(plan=plan)
    page = login("unit_gaj").get(f"/targets/{plan.pk}/").content.decode()
    assert 'id="my-reminders"' in page and "临期提醒" in page
    # Every warning counted, the latest five listed, and the way to the rest.
    n = Reminder.objects.filter(report__plan=plan, report__unit__name="市公安局").count()
    services.reminders_send(plan=plan, on=dt.date(2030, 4, 1))  # now overdue as well
    more = Reminder.objects.filter(report__plan=plan, report__unit__name="市公安局").count()
    page = login("unit_gaj").get(f"/targets/{plan.pk}/").content.decode()
    box = page.split('id="my-reminders"')[1].split("</div>\n</div>")[0].split("</ul>")[0]
    assert (n, more) == (2, 4) and f"您有 {more} 条预警提醒" in page
    assert box.count("<li>") == 4 and "my-reminders-more" not in box


def test_the_table_lists_the_latest_warnings_and_links_to_the_rest(
    small_plan: Any, login: Any
) -> None:
    plan = small_plan(dues=("2030-03-31", "2030-04-30", "2030-05-31"))
    for day in ("2030-03-25", "2030-04-01", "2030-04-25", "2030-05-01"):
        services.reminders_send(plan=plan, on=dt.date.fromisoformat(day))
    n = Reminder.objects.filter(report__plan=plan, report__unit__name="市公安局").count()
    page = login("unit_gaj").get(f"/targets/{plan.pk}/").content.decode()
    box = page.split('id="my-reminders"')[1].split("</ul>")[0]
    assert n > 5 and f"您有 {n} 条预警提醒" in page
    assert (
        box.count("<li>") == 6 and f'href="/targets/{plan.pk}/late/" id="my-reminders-more"' in box
    )
    assert (
        'id="my-reminders"' not in login("office_zfw").get(f"/targets/{plan.pk}/").content.decode()
    )


def test_late_list_says_what_and_who(small_plan: Any, office: Any, users: dict[str, Any]) -> None:
    plan = small_plan(dues=("2030-03-31", "2030-06-30"))
    items = late_list(office, plan, on=dt.date(2030, 4, 5))
    assert len(items) == 7 and {i.state for i in items} == {CellState.OVERDUE}
    assert all(i.days == 5 for i in items)
    who = late_by_assignee(items)
    assert who[0]["overdue"] == 2 and {w["name"] for w in who} >= {"市公安局", "渝中区", "万州区"}
    mine = late_list(users["unit_gaj"], plan, on=dt.date(2030, 4, 5))
    assert {i.report.assignment.assignee_name for i in mine} == {"市公安局"}
    soon = late_list(office, plan, state="at_risk", on=dt.date(2030, 6, 25))
    assert {i.report.milestone.due for i in soon} == {dt.date(2030, 6, 30)}


def test_export_has_the_screen_colours(small_plan: Any, login: Any, office: Any) -> None:
    from openpyxl import load_workbook

    plan = small_plan(dues=("2030-03-31",))
    services.plan_rule_update(actor=office, plan=plan, as_of=dt.date(2030, 4, 2))
    response = login("office_zfw").get(f"/targets/{plan.pk}/export.xlsx?by=district")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[2]][:4] == ["编号", "治理方式", "任务名称", "分值"]
    assert ws.cell(row=2, column=5).value == "万州区"
    cell = ws.cell(row=3, column=5)
    assert cell.value == "超"
    assert cell.fill.fgColor.rgb.endswith(PALETTE[CellState.OVERDUE][0])
    assert cell.font.color.rgb.endswith(PALETTE[CellState.OVERDUE][1])
    assert (
        int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A3)
        and ws.page_setup.orientation == "landscape"
    )
    page = login("office_zfw").get(f"/targets/{plan.pk}/?by=district").content.decode()
    fill, text = PALETTE[CellState.OVERDUE]
    assert f".tt .s-overdue,.tt-key.s-overdue{{background:#{fill};color:#{text}}}" in page


def test_demo_refuses_without_debug(db: Any) -> None:
    from django.core.management.base import CommandError

    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("load_targets_demo")


def test_demo_plan_imports_cleanly(users: dict[str, Any]) -> None:
    """The demo's 108 tasks and 6 negative-list items pass the real import."""
    from zhili.core.system import system_user
    from zhili.targets import demo
    from zhili.targets.models import Method, Task

    demo._units(system_user(), services.root_area())
    plan = services.plan_import(
        actor=users["office_zfw"],
        year=demo.YEAR,
        title=demo.TITLE,
        data=demo.plan_workbook(),
        filename="d.xlsx",
    )
    tasks = Task.objects.filter(plan=plan)
    assert tasks.count() == 108
    for method in Method.values:
        assert tasks.filter(method=method).count() == 18
    assert plan.negative_items.count() == 6
    assert plan.negative_items.filter(effect="veto").count() == 2
    holders = {
        a for a in plan.assignments.filter(unit__isnull=False).values_list("unit__name", flat=True)
    }
    assert len(holders) == 37
    assert sum(t.weight for t in tasks) > Decimal(90)


def test_the_home_to_do_counts_what_the_warnings_page_lists(
    small_plan: Any, office: Any, users: dict[str, Any], login: Any
) -> None:
    """逾期未报送 on the home page counts on the plan's clock, as the warnings page it links to
    does (a plan followed as of a day showed 5 overdue on the home page and none on its page)."""
    from zhili.targets import todo

    plan = small_plan(dues=("2030-03-31", "2030-06-30"))
    plan = services.plan_rule_update(actor=office, plan=plan, as_of=dt.date(2030, 4, 2))
    unit = users["unit_gaj"]
    report = Report.objects.filter(plan=plan, unit__name="市公安局").order_by("id").first()
    services.report_submit(actor=unit, report=report, text="完成", uploads=[Upload("a.pdf", PDF)])
    late = next(t for t in todo.items(unit) if t.label == "逾期未报送")  # a unit's reporter too
    rows = [
        i
        for i in late_list(unit, plan, state="overdue")
        if i.report.status in ("pending", "returned")
    ]
    assert late.count == len(rows) == 1  # 市公安局's two 2030-03-31 milestones, one submitted
    assert late.url == f"/targets/{plan.pk}/late/?state=overdue"
    page = login("unit_gaj").get(late.url).content.decode()
    assert page.count('<span class="tt-key s-overdue">') == 2  # the submitted one is listed too
