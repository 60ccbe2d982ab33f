"""The benchmark at a tiny size: the ORM rules and the plain SQL agree on every rule, and the
generated anomalies are found."""

from __future__ import annotations

import datetime as dt

import pytest

from zhili.wages.bench import Size, generate, measure

pytestmark = pytest.mark.django_db


def test_orm_and_sql_agree_on_a_generated_set():
    today = dt.date(2026, 6, 15)
    counts = generate(Size(projects=40, workers=12, months=6, seed=3), today=today)
    assert counts["attendance"] == 40 * 12 * 6
    result = measure(today=today)
    for code, r in result["rules"].items():
        assert r["same"], code
    found = {code for code, r in result["rules"].items() if r["findings"]}
    assert {"no_payroll", "unpaid", "below_minimum"} <= found
    assert result["warnings_written"] == result["findings"]


def test_the_monthly_rows_written_in_bulk_are_the_models_rows():
    """The monthly tables skip ``sink.write``'s field conversion: every column is written and the
    rows read back through the models as the importer's would."""
    from zhili.wages.bench import MONTHLY_COLUMNS
    from zhili.wages.models import Attendance, BankPayment, PayLine, RosterEntry
    from zhili.wages.rules import month_end

    for model, columns in MONTHLY_COLUMNS.items():
        assert set(columns) == {f.column for f in model._meta.concrete_fields}, model
    today = dt.date(2026, 6, 15)
    counts = generate(Size(projects=3, workers=4, months=2, seed=5), today=today)
    assert counts["roster"] == 12 and counts["paylines"] == 24
    r = RosterEntry.objects.order_by("pk").first()
    assert (r.trade, r.left_on, r.entered_on) == ("", None, dt.date(2026, 4, 1))
    a = Attendance.objects.order_by("pk").first()
    assert a.month == dt.date(2026, 4, 1) and 15 <= a.days <= 26
    line = PayLine.objects.get(project_id=a.project_id, worker_id=a.worker_id, month=a.month)
    assert line.signed is True and line.amount == line.amount.to_integral_value() > 0
    for b in BankPayment.objects.all():
        assert b.paid_on == month_end(b.month)
        assert b.reference == f"B{b.project_id}-{b.month:%y%m}-{b.worker_id}"
        assert (
            b.amount
            == PayLine.objects.get(
                project_id=b.project_id, worker_id=b.worker_id, month=b.month
            ).amount
        )


def test_orm_and_sql_agree_below_the_minimum_across_an_adjustment():
    """A window straddling 2025-01-01: two periods of the standard, the same findings."""
    from zhili.wages import bench_sql, rules

    today = dt.date(2025, 3, 15)
    generate(Size(projects=20, workers=10, months=6, seed=7), today=today)
    first = rules.add_months(rules.month_start(today), -rules.LOOKBACK_MONTHS)
    assert len(rules.minimum_periods(first)) == 2
    found = rules.evaluate(today=today, only={"below_minimum"})
    sql = bench_sql.evaluate(today=today, only={"below_minimum"})["below_minimum"]
    assert found and {(f.project_id, f.rule, f.period) for f in found} == set(sql)
    periods = {f.period for f in found}
    assert min(periods) < dt.date(2025, 1, 1) <= max(periods)  # found in both periods
