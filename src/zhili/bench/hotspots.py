"""Measure 5: the risk register's hot-spot scan (risks.hotspots) over the generated city.

The scan runs every six hours (``RisksConfig.periodic_tasks``). ``rising`` reads the daily rollups
(MatterAreaDay at street depth) over nine weeks, ``repeated`` lets the database group the last 30
days; the limit beside each is what the scan did before issue 16: every matter of the window
fetched into Python (the rows alone, by hand-written SQL, without even counting them).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure
from zhili.risks import hotspots


def _fetch_all_sql(since: dt.datetime, now: dt.datetime, columns: str) -> tuple[float, int]:
    sql = f"SELECT {columns} FROM matters_matter WHERE created_at >= %s AND created_at < %s"
    params: list[Any] = [since, now]
    if connection.vendor == "sqlite":
        params = [connection.ops.adapt_datetimefield_value(v) for v in params]
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        n = len(cursor.fetchall())
    return time.perf_counter() - start, n


def measure_hotspots(ctx: BenchContext) -> list[Figure]:
    t = hotspots.thresholds()
    now = ctx.now
    figures = []
    nine_weeks = now - dt.timedelta(days=t.window_days * (t.baseline_windows + 1))
    limit, rows = _fetch_all_sql(nine_weeks, now, "area_path, category_id, created_at, id")
    start = time.perf_counter()
    found = hotspots.rising_categories(now, t)
    seconds = time.perf_counter() - start
    ctx.say(f"  hotspots rising: {seconds:.2f}s, {len(found)} hits; old way read {rows:,} rows")
    figures.append(
        Figure(
            measure="hotspots",
            name=f"rising categories ({t.window_days * (t.baseline_windows + 1)} days, rollups)",
            value=seconds,
            unit="s",
            limit=limit,
            limit_name="SQL: fetch every matter of the window (the old scan)",
            note=f"{len(found)} hits; the old scan read {rows:,} matters",
            extra={"hits": len(found), "rows_old": rows},
        )
    )
    month = now - dt.timedelta(days=t.repeat_days)
    limit, rows = _fetch_all_sql(month, now, "id, address, reporter_phone, area_path, area_id")
    start = time.perf_counter()
    found = hotspots.repeated(now, t)
    seconds = time.perf_counter() - start
    ctx.say(f"  hotspots repeated: {seconds:.2f}s, {len(found)} groups; old way read {rows:,} rows")
    figures.append(
        Figure(
            measure="hotspots",
            name=f"repeated address/phone ({t.repeat_days} days, GROUP BY)",
            value=seconds,
            unit="s",
            limit=limit,
            limit_name="SQL: fetch every matter of the window (the old scan)",
            note=f"{len(found)} groups; the old scan read {rows:,} matters",
            extra={"groups": len(found), "rows_old": rows},
        )
    )
    return figures
