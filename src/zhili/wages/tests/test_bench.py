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
