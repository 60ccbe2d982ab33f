"""Defect 3 (issue 10): who holds a task is read once, so a warning always points at a task the
table shows.

In the demo, 解放碑街道 holds street shares of tasks 3, 21 and 43 (split by 渝中区). ``jiefangbei``
was warned about task 43 on the table page while the table (by unit, the default) said
“没有符合条件的任务”: the warnings counted the street's rows, the table only the units'.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings

from zhili.core.models import Notice
from zhili.targets import holders, selectors
from zhili.targets.models import Report

DEMO_USERS = ("office_zfw", "unit_gaj", "yuzhong", "wanzhou", "jiefangbei", "city_admin")


@pytest.fixture
def demo_plan(users: dict[str, Any]) -> Any:
    from zhili.targets.demo import targets_demo_load

    with override_settings(DEBUG=True):
        return targets_demo_load(say=lambda _msg: None)


def _rows(page: str) -> set[str]:
    """The task numbers of the table's rows."""
    return set(re.findall(r'<a class="n" href="[^"]*"[^>]*>([^<]+)</a>', page))


def test_every_warned_task_is_in_the_table_the_user_opens_and_those_warned_see_it(
    demo_plan: Any, login: Any, users: dict[str, Any]
) -> None:
    jfb = users["jiefangbei"]
    warned = {r.report.milestone.task.number for r in selectors.my_reminders(jfb, demo_plan)}
    assert "43" in warned
    page = login("jiefangbei").get(f"/targets/{demo_plan.pk}/").content.decode()
    assert 'id="my-reminders"' in page
    assert 'id="table-empty"' not in page
    assert warned <= _rows(page)
    assert '<option value="district" selected>' in page  # the form says which columns these are
    # The API opens on the same columns.
    for who in ("jiefangbei", "yuzhong", "unit_gaj"):
        user = users[who]
        tasks = {r.report.milestone.task.number for r in selectors.my_reminders(user, demo_plan)}
        table = selectors.table_build(user, demo_plan, selectors.TableFilters())
        assert tasks and tasks <= {row.task.number for row in table.rows}, who

    # Those told (the inbox: whom ``reminders_send`` chose) are those shown the warnings on the
    # page, by the one rule. (One test: loading the demo season takes most of a minute.)
    warned_reports = Report.objects.filter(plan=demo_plan, reminders__isnull=False).distinct()
    told = holders.holders_of(holders.key_of(r) for r in warned_reports)
    for who in DEMO_USERS:
        user = users[who]
        by_rule = {
            r.pk for r in warned_reports if any(u.pk == user.pk for u in told[holders.key_of(r)])
        }
        on_page = {r.report_id for r in selectors.my_reminders(user, demo_plan, limit=100_000)}
        inbox = {
            int(n.object_id)
            for n in Notice.objects.filter(recipient=user, kind__startswith="targets.")
        }
        assert on_page == by_rule == inbox, who
    assert told and all(
        u.username != "yuzhong"
        for r in warned_reports
        if r.area_path.count("/") == 3  # a street's share is the street's to report
        for u in told[holders.key_of(r)]
    )
