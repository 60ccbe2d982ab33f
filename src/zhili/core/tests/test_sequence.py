"""next_in_sequence: one upsert per value, consecutive values, no gap after a rollback.

Concurrent callers (threads with their own connections, on SQLite and PostgreSQL) are tested in
zhili/bench/tests/test_intake.py, on a copy of the test database: a transactional test here would
flush the shared test database, which the append-only audit trail refuses."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zhili.core.validation import next_in_sequence
from zhili.disputes.models import DisputeCounter
from zhili.matters.models import MatterCounter

DAY = dt.date(2021, 6, 1)


class Rollback(Exception):
    pass


@pytest.mark.django_db
def test_values_start_at_one_per_key_and_a_rollback_leaves_no_gap() -> None:
    with transaction.atomic():
        assert [next_in_sequence(MatterCounter, day=DAY) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(Rollback), transaction.atomic():
        assert next_in_sequence(MatterCounter, day=DAY) == 4
        raise Rollback
    with transaction.atomic():
        assert next_in_sequence(MatterCounter, day=DAY) == 4
        assert next_in_sequence(MatterCounter, day=DAY + dt.timedelta(days=1)) == 1
        assert next_in_sequence(DisputeCounter, year=2021) == 1
    assert MatterCounter.objects.get(day=DAY).last == 4


@pytest.mark.django_db
def test_one_query() -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
        next_in_sequence(MatterCounter, day=DAY)
    assert [q["sql"].split()[0] for q in ctx.captured_queries if "counter" in q["sql"]] == [
        "INSERT"
    ]
