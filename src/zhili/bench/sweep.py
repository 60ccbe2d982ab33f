"""Measure 4: the deadline sweep (matters.supervision.sweep) over every open matter.

The generator leaves the city as one sweep pass at ``now`` leaves it (machine.Machine.sweep_as_of,
proven equal to the real pass by tests/test_machine.py): the worker has been running. The measured
pass is the next one, a worker interval later — what the worker does every few minutes; the target
(≤ 10 s) is for it. The limit beside it: the candidates the pass had to find, selected by one
hand-written SQL statement (the scan no sweep can avoid).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.db import connection

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure
from zhili.matters import supervision
from zhili.matters.models import OPEN_STATUSES


def _candidates_sql(now: dt.datetime) -> tuple[float, int]:
    """Seconds to select, by hand, the open matters a pass at ``now`` must look at: past their
    deadline and not yet supervised for it, or due within the warning window."""
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = (
        "SELECT id FROM matters_matter WHERE status IN (" + statuses + ") AND due_at IS NOT NULL "
        "AND ((due_at < %s AND (supervised_at IS NULL OR supervised_at < due_at)) "
        "OR (due_at > %s AND due_at <= %s))"
    )
    window = now + supervision.warn_before()
    params: list[Any] = [*OPEN_STATUSES, now, now, window]
    if connection.vendor == "sqlite":
        params = [*OPEN_STATUSES, *(connection.ops.adapt_datetimefield_value(v)
                                   for v in (now, now, window))]  # fmt: skip
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        n = len(cursor.fetchall())
    return time.perf_counter() - start, n


def _pass(ctx: BenchContext, name: str, now: dt.datetime, target: float | None) -> Figure:
    limit, candidates = _candidates_sql(now)
    start = time.perf_counter()
    result = supervision.sweep(now)
    seconds = time.perf_counter() - start
    acted = result.warned + result.overdue + result.escalated
    ctx.say(f"  sweep {name}: {seconds:.1f}s, {result.as_dict()}")
    return Figure(
        measure="sweep",
        name=name,
        value=seconds,
        unit="s",
        limit=limit,
        limit_name="SQL: select the candidates",
        target=target,
        target_text="≤ 10 s" if target else "",
        note=f"{acted:,} matters acted on ({seconds / acted * 1000:.1f} ms each)" if acted else "",
        extra={**result.as_dict(), "errors": result.errors[:5], "candidates": candidates},
    )


def measure_sweep(ctx: BenchContext) -> list[Figure]:
    interval = dt.timedelta(seconds=int(getattr(settings, "ZHILI_SWEEP_INTERVAL_SECONDS", 300)))
    return [_pass(ctx, "next pass (one worker interval after the last)", ctx.now + interval, 10.0)]
