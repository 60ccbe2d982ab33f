"""Every rule on constructed payroll histories: one that fires, one that does not, the edge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhili.testing.factories import make_matter, user
from zhili.wages import services
from zhili.wages.models import WageRule
from zhili.wages.tests.helpers import (
    TODAY,
    attendance,
    card,
    findings,
    id_number,
    labour,
    make_project,
    pay,
    roster,
)

pytestmark = pytest.mark.django_db


def full_month(project, month, n=10, amount="5000"):
    attendance(project, month, range(1, n + 1))
    pay(project, month, {i: amount for i in range(1, n + 1)})


# -- no payroll by the end of the next month (red) ----------------------------------------------


def test_no_payroll_fires_after_the_end_of_the_next_month():
    p = make_project()
    roster(p, 5)
    attendance(p, "2026-03", range(1, 6))  # deadline 2026-04-30; today 2026-06-15
    (f,) = findings(p, "no_payroll")
    assert f.severity == "red" and f.period == dt.date(2026, 3, 1)
    assert f.evidence["workers"] == 5


def test_no_payroll_does_not_fire_when_paid_through_the_account():
    p = make_project()
    roster(p, 5)
    attendance(p, "2026-03", range(1, 6))
    pay(p, "2026-03", {i: "5000" for i in range(1, 6)})
    assert findings(p, "no_payroll") == []


def test_no_payroll_edge_is_the_last_day_of_the_next_month():
    p = make_project()
    roster(p, 2)
    attendance(p, "2026-05", [1, 2])
    assert findings(p, "no_payroll", today=dt.date(2026, 6, 30)) == []
    (f,) = findings(p, "no_payroll", today=dt.date(2026, 7, 1))
    assert f.period == dt.date(2026, 5, 1)


def test_no_payroll_grace_days_are_data():
    p = make_project()
    roster(p, 2)
    attendance(p, "2026-05", [1, 2])
    WageRule.objects.filter(code="no_payroll").update(threshold=5)
    assert findings(p, "no_payroll", today=dt.date(2026, 7, 5)) == []
    assert len(findings(p, "no_payroll", today=dt.date(2026, 7, 6))) == 1


# -- attendees not paid (yellow; over 10 % red) ---------------------------------------------------


def test_unpaid_one_in_twenty_is_yellow():
    p = make_project()
    roster(p, 20)
    attendance(p, "2026-04", range(1, 21))
    pay(p, "2026-04", {i: "5000" for i in range(1, 20)})
    (f,) = findings(p, "unpaid")
    assert f.severity == "yellow" and f.evidence["unpaid"] == 1 and f.evidence["share"] == "5.0"


def test_unpaid_exactly_ten_percent_is_yellow_and_above_is_red():
    p = make_project()
    roster(p, 10)
    attendance(p, "2026-04", range(1, 11))
    pay(p, "2026-04", {i: "5000" for i in range(1, 10)})  # 1 of 10 = 10 %
    (f,) = findings(p, "unpaid")
    assert f.severity == "yellow"
    attendance(p, "2026-05", range(1, 11))
    pay(p, "2026-05", {i: "5000" for i in range(1, 9)})  # 2 of 10 = 20 %
    reds = [f for f in findings(p, "unpaid") if f.period == dt.date(2026, 5, 1)]
    assert reds[0].severity == "red"


def test_unpaid_does_not_fire_when_everyone_is_paid_or_did_not_attend():
    p = make_project()
    roster(p, 4)
    attendance(p, "2026-04", range(1, 4))
    attendance(p, "2026-04", [4], days=0)  # on the roster, absent all month
    pay(p, "2026-04", {i: "5000" for i in range(1, 4)})
    assert findings(p, "unpaid") == []


def _sql_keys(rule: str) -> set[tuple[int, dt.date]]:
    """The same check as plain SQL (the benchmark's twin) over every project."""
    from zhili.wages import bench_sql

    return {(p, m) for p, _r, m in bench_sql.evaluate(today=TODAY, only={rule}).get(rule, [])}


def test_unpaid_counts_a_worker_paid_twice_in_a_month_once():
    from zhili.wages.tests.helpers import imp

    p = make_project()
    roster(p, 10)
    attendance(p, "2026-04", range(1, 11))
    pay(p, "2026-04", {i: "5000" for i in range(1, 9)})  # 8 of 10 paid
    imp(p, "bank", [[id_number(1), "2026-04", "800", "2026-04-30", "LS-SECOND-TRANSFER"]])
    (f,) = findings(p, "unpaid")
    assert (f.evidence["attendees"], f.evidence["unpaid"], f.evidence["share"]) == (10, 2, "20.0")
    assert f.severity == "red"
    assert _sql_keys("unpaid") == {(p.pk, dt.date(2026, 4, 1))}


def test_unpaid_a_month_paid_only_to_an_absentee_leaves_every_attendee_unpaid():
    p = make_project()
    roster(p, 3)
    attendance(p, "2026-04", [1, 2])
    attendance(p, "2026-04", [3], days=0)
    pay(p, "2026-04", {3: "2100"})  # the account paid in April, but no attendee
    attendance(p, "2026-05", [1, 2])  # nothing paid in May: no_payroll's month, not unpaid's
    (f,) = findings(p, "unpaid")
    assert f.period == dt.date(2026, 4, 1) and f.severity == "red"
    assert (f.evidence["attendees"], f.evidence["unpaid"], f.evidence["share"]) == (2, 2, "100.0")
    assert _sql_keys("unpaid") == {(p.pk, dt.date(2026, 4, 1))}


# -- below the minimum wage (red) -----------------------------------------------------------------


def test_below_minimum_fires_for_a_full_month_below_the_local_minimum():
    p = make_project()  # 渝中区: 2,330 a month from 2025-01-01 (first tier, data)
    roster(p, 3)
    attendance(p, "2026-04", [1, 2, 3], days=22)
    pay(p, "2026-04", {1: "2329.99", 2: "2330.00", 3: "6000"})
    (f,) = findings(p, "below_minimum")
    assert f.severity == "red" and f.evidence["workers"] == 1
    assert f.evidence["minimum"] == "2330.00" and f.evidence["lowest"] == "2329.99"
    assert f.evidence["names"] == ["工**"]  # 工人1, masked


def test_below_minimum_is_pro_rata_of_days_attended():
    p = make_project()
    roster(p, 2)
    attendance(p, "2026-04", [1, 2], days=10)
    # 10 of 21.75 days of 2,330: floor 1,071.26
    pay(p, "2026-04", {1: "1071.27", 2: "1071.26"})
    (f,) = findings(p, "below_minimum")
    assert f.evidence["workers"] == 1 and f.evidence["lowest"] == "1071.26"


def test_below_minimum_uses_the_second_tier_in_a_county():
    from zhili.wages.tests.helpers import imp

    # 奉节县 (a county): 2,200 a month from 2025-01-01 (second tier, data built from the notice).
    p = make_project(where="500236001", actor="city_admin", number="XM-FJ")
    imp(p, "roster", [["工人1", id_number(1), "", card(1), "某劳务公司", "", "2026-01-01", ""]],
        actor="city_admin")  # fmt: skip
    imp(p, "attendance", [[id_number(1), "2026-04", 22]], actor="city_admin")
    imp(p, "bank", [[id_number(1), "2026-04", "2250", "2026-04-28", "LS-FJ-1"]], actor="city_admin")
    assert findings(p, "below_minimum") == []  # 2,250 is below 渝中's 2,330, not 奉节's 2,200
    imp(p, "attendance", [[id_number(1), "2026-05", 22]], actor="city_admin")
    imp(p, "bank", [[id_number(1), "2026-05", "2199", "2026-05-28", "LS-FJ-2"]], actor="city_admin")
    (f,) = findings(p, "below_minimum")
    assert f.evidence["minimum"] == "2200.00"


def _straddling(where=None, number="XM2024001"):
    """A project paying from October 2024: its look-back window in 2025 straddles 2025-01-01,
    when 渝中's minimum went from 2,100 to 2,330 (奉节's from 2,000 to 2,200)."""
    kw = {"where": where, "actor": "city_admin"} if where else {}
    return make_project(number=number, start_on=dt.date(2024, 10, 1), **kw)


def test_below_minimum_judges_each_month_by_the_standard_in_force_that_month():
    """December 2024 against 2,100, January 2025 against 2,330, in one run in 2025."""
    from zhili.wages import bench_sql

    p = _straddling()
    roster(p, 6)
    attendance(p, "2024-12", [1, 2, 3], days=22)
    pay(p, "2024-12", {1: "2150", 2: "2100.00", 3: "2099.99"})
    attendance(p, "2025-01", [4, 5, 6], days=22)
    pay(p, "2025-01", {4: "2150", 5: "2330.00", 6: "2329.99"})
    today = dt.date(2025, 6, 15)  # the window: June 2024 to June 2025
    dec, jan = findings(p, "below_minimum", today=today)
    assert dec.period == dt.date(2024, 12, 1) and jan.period == dt.date(2025, 1, 1)
    # December: 2,150 and exactly 2,100 are not below 2,100; 2,099.99 is.
    assert dec.evidence["workers"] == 1 and dec.evidence["lowest"] == "2099.99"
    assert dec.evidence["minimum"] == "2100.00" and "月 2,100.00 元" in dec.summary
    # January: 2,150 and 2,329.99 are below 2,330; exactly 2,330 is not.
    assert jan.evidence["workers"] == 2 and jan.evidence["lowest"] == "2150.00"
    assert jan.evidence["minimum"] == "2330.00" and "月 2,330.00 元" in jan.summary
    assert jan.evidence["names"] == ["工**", "工**"]
    # The plain-SQL twin of the benchmark finds the same months.
    sql = bench_sql.evaluate(today=today, only={"below_minimum"})["below_minimum"]
    assert set(sql) == {(p.pk, "below_minimum", dec.period), (p.pk, "below_minimum", jan.period)}
    # A month's standard does not depend on the day the rule runs: the same run on the last day
    # before the adjustment (January 2025, already paid, is judged against 2,330 too).
    again = findings(p, "below_minimum", today=dt.date(2024, 12, 31))
    assert [(f.period, f.evidence) for f in again] == [(f.period, f.evidence) for f in (dec, jan)]
    assert set(bench_sql.evaluate(today=dt.date(2024, 12, 31), only={"below_minimum"})[
        "below_minimum"]) == set(sql)  # fmt: skip


def test_below_minimum_judges_a_county_by_its_own_standard_of_the_month():
    from zhili.wages import bench_sql
    from zhili.wages.tests.helpers import imp

    # 奉节县 (second tier): 2,000 a month until 2024, 2,200 from 2025-01-01.
    p = _straddling(where="500236001", number="XM-FJ-2024")
    rows = [["工人1", id_number(1), "", card(1), "某劳务公司", "", "2024-10-01", ""],
            ["工人2", id_number(2), "", card(2), "某劳务公司", "", "2024-10-01", ""]]  # fmt: skip
    imp(p, "roster", rows, actor="city_admin")
    att = [[id_number(w), m, 22] for m in ("2024-12", "2025-01") for w in (1, 2)]
    imp(p, "attendance", att, actor="city_admin")
    paid = [
        [id_number(1), "2024-12", "2100", "2024-12-28", "FJ-1"],  # above 奉节's 2,000 then
        [id_number(2), "2024-12", "2000.00", "2024-12-28", "FJ-2"],  # exactly 2,000
        [id_number(1), "2025-01", "2199.99", "2025-01-28", "FJ-3"],  # below 2,200
        [id_number(2), "2025-01", "2200.00", "2025-01-28", "FJ-4"],  # exactly 2,200
    ]
    imp(p, "bank", paid, actor="city_admin")
    today = dt.date(2025, 3, 1)
    (f,) = findings(p, "below_minimum", today=today)
    assert f.period == dt.date(2025, 1, 1) and f.evidence["workers"] == 1
    assert f.evidence["minimum"] == "2200.00" and f.evidence["lowest"] == "2199.99"
    assert bench_sql.evaluate(today=today, only={"below_minimum"}) == {
        "below_minimum": [(p.pk, "below_minimum", dt.date(2025, 1, 1))]
    }


def test_the_standard_of_a_month_is_the_one_in_force_on_its_first_day():
    from zhili.testing.factories import area
    from zhili.wages.rules import minimum_periods

    periods = minimum_periods(dt.date(2024, 6, 1))
    assert [start for start, _levels in periods] == [dt.date(2024, 6, 1), dt.date(2025, 1, 1)]
    assert dict(periods[0][1])["500000/500103/"] == 2100
    assert dict(periods[1][1])["500000/500103/"] == 2330
    # A row dated after the 1st counts from the next month.
    services.minimum_wage_set(
        actor=user("city_admin"),
        area=area("500103"),
        monthly="2500",
        effective_from=dt.date(2025, 3, 15),
        source="测试文件",
    )
    periods = minimum_periods(dt.date(2024, 6, 1))
    assert [start for start, _levels in periods][1:] == [dt.date(2025, 1, 1), dt.date(2025, 4, 1)]
    assert dict(periods[2][1])["500000/500103/"] == 2500
    assert dict(periods[2][1])["500000/500236/"] == 2200  # other areas keep theirs


# -- proxy payroll (red) --------------------------------------------------------------------------


def test_proxy_fires_above_the_threshold_only():
    p = make_project()
    roster(p, 3)
    attendance(p, "2026-04", [1, 2, 3])
    pay(p, "2026-04", {1: "30000.00", 2: "30000.01", 3: "5000"})
    (f,) = findings(p, "proxy")
    assert f.severity == "red" and f.evidence["workers"] == 1
    assert f.evidence["highest"] == "30000.01"


# -- balance short of next month's payroll -----------------------------------------------------------


def test_balance_short_fires_and_the_edge_is_equal():
    p = make_project()
    roster(p, 2)
    labour(p, "20000", "BF001")
    attendance(p, "2026-04", [1, 2])
    pay(p, "2026-04", {1: "5000", 2: "5000"})  # balance 10,000 = last payroll 10,000
    assert findings(p, "balance") == []
    labour(p, "-", "BF-X") if False else None
    attendance(p, "2026-05", [1, 2])
    pay(p, "2026-05", {1: "5000", 2: "5001"})  # balance 0 - 1 < 10,001
    (f,) = findings(p, "balance")
    assert Decimal(f.evidence["balance"]) == Decimal("-1.00")


# -- labour share below contract share × progress ------------------------------------------------------


def test_labour_share_fires_below_contract_share_times_progress():
    p = make_project()  # 10,000,000 × 20 % labour
    services.progress_set(
        actor=user("jiefangbei"), project=p, month=dt.date(2026, 4, 1), percent="30"
    )
    labour(p, "600000", "BF001")  # due 600,000: not short
    assert findings(p, "labour_share") == []
    services.progress_set(
        actor=user("jiefangbei"), project=p, month=dt.date(2026, 5, 1), percent="30.01"
    )
    (f,) = findings(p, "labour_share")
    assert f.evidence["due"] == "600200.00" and f.evidence["received"] == "600000.00"


def test_labour_share_without_progress_does_not_fire():
    p = make_project()
    assert findings(p, "labour_share") == []


# -- account, deposit, notice board --------------------------------------------------------------------


def test_missing_account_deposit_and_notice_fire_after_thirty_days():
    p = make_project(complete=False, start_on=dt.date(2026, 5, 16))  # day 30 on 2026-06-15
    for rule in ("account", "deposit", "notice"):
        assert len(findings(p, rule)) == 1, rule
        assert findings(p, rule, today=dt.date(2026, 6, 14)) == [], rule


def test_complete_project_has_no_missing_warnings():
    p = make_project()
    for rule in ("account", "deposit", "notice"):
        assert findings(p, rule) == []


def test_an_expired_guarantee_does_not_count():
    p = make_project(complete=False)
    services.deposit_add(
        actor=user("jiefangbei"),
        project=p,
        kind="guarantee",
        amount="1",
        bank="某银行",
        valid_until=dt.date(2026, 6, 14),
    )
    assert len(findings(p, "deposit")) == 1
    assert findings(p, "deposit", today=dt.date(2026, 6, 14)) == []


# -- open complaints -------------------------------------------------------------------------------------


def test_open_wage_complaint_fires_and_a_closed_one_does_not():
    p = make_project()
    assert findings(p, "complaint") == []
    m = make_matter(
        category="wage-arrears",
        description="工地拖欠工资三个月",
        answers={"workers": 12, "site": "是"},
    )
    services.complaint_link(actor=user("jiefangbei"), project=p, matter=m)
    (f,) = findings(p, "complaint")
    assert f.evidence["open"] == 1
    from zhili.matters.models import Matter

    Matter.objects.filter(pk=m.pk).update(status="closed")
    assert findings(p, "complaint") == []


def test_only_wage_matters_can_be_linked():
    from zhili.core.errors import ValidationFailed

    p = make_project()
    with pytest.raises(ValidationFailed):
        services.complaint_link(actor=user("jiefangbei"), project=p, matter=make_matter())


def test_a_disabled_rule_does_not_run():
    p = make_project(complete=False, start_on=dt.date(2026, 1, 1))
    WageRule.objects.filter(code="notice").update(enabled=False)
    assert findings(p, "notice") == []
    assert TODAY.year == 2026
