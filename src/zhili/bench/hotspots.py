"""Measure 5: the risk register's hot-spot scan (risks.hotspots) over the generated city.

The scan runs every six hours (``RisksConfig.periodic_tasks``). ``rising`` reads the daily rollups
(MatterAreaDay at street depth) over nine weeks, then the hit categories' matters of the last
window; ``repeated`` lets the database group the last 30 days, then reads each repeating group's
matters. The limit beside each is **the same queries as plain SQL** (hand-written, on the DB-API
cursor, no ORM), timed in the same run, and their answer must be the scan's (``mismatches``). The
note also gives what the scan did before issue 16 — every matter of the window fetched into
Python — as the number of rows that read would fetch.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

from django.db import connection
from django.utils import timezone

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure
from zhili.risks import hotspots
from zhili.risks.hotspots import STREET_DEPTH, Thresholds


def _params(*values: Any) -> list[Any]:
    if connection.vendor != "sqlite":
        return list(values)
    out: list[Any] = []
    for v in values:
        if isinstance(v, dt.datetime):
            v = connection.ops.adapt_datetimefield_value(v)
        elif isinstance(v, dt.date):
            v = connection.ops.adapt_datefield_value(v)
        out.append(v)
    return out


def _tables() -> tuple[str, str]:
    from zhili.matters.models import Matter, MatterAreaDay

    return Matter._meta.db_table, MatterAreaDay._meta.db_table


def _old_rows(since: dt.datetime, now: dt.datetime) -> int:
    """How many matters the pre-issue-16 scan fetched into Python for this window."""
    matters, _ = _tables()
    sql = f"SELECT COUNT(*) FROM {matters} WHERE created_at >= %s AND created_at < %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(since, now))
        return int(cursor.fetchone()[0])


def rising_sql(now: dt.datetime, t: Thresholds) -> list[tuple[str, int, int, list[int]]]:
    """``hotspots.rising_categories`` as plain SQL: the rollup sums by street and category, the
    same rise test, then one read of the hit categories' recent matters (≤ 50 per hit)."""
    matters, rollup = _tables()
    today = timezone.localtime(now).date()
    recent_from = today - dt.timedelta(days=t.window_days - 1)
    start = recent_from - dt.timedelta(days=t.window_days * t.baseline_windows)
    net = "created - rejected - merged"
    recent = f"SUM(CASE WHEN day >= %s THEN {net} ELSE 0 END)"
    sql = (
        f"SELECT area_path, category_id, {recent}, "
        f"SUM(CASE WHEN day < %s THEN {net} ELSE 0 END) FROM {rollup} "
        "WHERE depth = %s AND day >= %s AND day <= %s GROUP BY area_path, category_id "
        f"HAVING {recent} >= %s"
    )
    params = _params(recent_from, recent_from, STREET_DEPTH, start, today, recent_from)
    hits: dict[tuple[str, int], list[Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, t.min_count])
        for path, cat, n, base in cursor.fetchall():
            n, baseline = int(n), max(0, int(base or 0)) / t.baseline_windows
            if n >= t.ratio * max(baseline, 0.5) and n > baseline + 3 * math.sqrt(max(baseline, 1)):
                hits[(path, cat)] = [n, []]
        if hits:
            since = timezone.make_aware(dt.datetime.combine(recent_from, dt.time()))
            cats = sorted({c for _, c in hits})
            marks = ", ".join(["%s"] * len(cats))
            cursor.execute(
                f"SELECT id, area_path, category_id FROM {matters} WHERE created_at >= %s "
                f"AND category_id IN ({marks}) AND status NOT IN ('rejected', 'merged') "
                "ORDER BY id",
                [*_params(since), *cats],
            )
            for pk, path, cat in cursor.fetchall():
                parts = [p for p in path.split("/") if p]
                street = "/".join(parts[:3]) + "/" if len(parts) > 2 else None
                hit = hits.get((street, cat)) if street else None
                if hit is not None and len(hit[1]) < 50:
                    hit[1].append(pk)
    return [(path, cat, n, ids) for (path, cat), (n, ids) in hits.items()]


def repeated_sql(now: dt.datetime, t: Thresholds) -> list[tuple[str, str, int, list[int]]]:
    """``hotspots.repeated`` as plain SQL: GROUP BY address and phone over the window, then each
    repeating group's matters (≤ 50)."""
    matters, _ = _tables()
    since = now - dt.timedelta(days=t.repeat_days)
    where = "created_at >= %s AND created_at < %s AND status <> 'rejected'"
    out = []
    with connection.cursor() as cursor:
        for kind, field, extra in (
            ("address", "address", " AND LENGTH(address) >= 4"),
            ("person", "reporter_phone", ""),
        ):
            cursor.execute(
                f"SELECT {field}, COUNT(id) FROM {matters} WHERE {where} AND {field} <> '' "
                f"GROUP BY {field} HAVING COUNT(id) >= %s{extra}",
                [*_params(since, now), t.repeat_count],
            )
            for value, n in cursor.fetchall():
                cursor.execute(
                    f"SELECT id FROM {matters} WHERE {where} AND {field} = %s ORDER BY id LIMIT 50",
                    [*_params(since, now), value],
                )
                out.append((kind, value, int(n), [r[0] for r in cursor.fetchall()]))
    return out


def _timed(run: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    found = run()
    return time.perf_counter() - start, found


def measure_hotspots(ctx: BenchContext) -> list[Figure]:
    t = hotspots.thresholds()
    now = ctx.now
    days = t.window_days * (t.baseline_windows + 1)
    seconds, found = _timed(lambda: hotspots.rising_categories(now, t))
    limit, plain = _timed(lambda: rising_sql(now, t))
    scan = sorted((h["category"], h["count"], tuple(h["matter_ids"])) for h in found)
    same = sorted((cat, n, tuple(ids)) for _, cat, n, ids in plain)
    rising_mismatch = int(scan != same)
    rows = _old_rows(now - dt.timedelta(days=days), now)
    ctx.say(
        f"  hotspots rising: {seconds:.3f}s (plain SQL {limit:.3f}s), {len(found)} hits; "
        f"the old scan read {rows:,} rows"
    )
    figures = [
        Figure(
            measure="hotspots",
            name=f"rising categories ({days} days, rollups)",
            value=seconds,
            unit="s",
            limit=limit,
            limit_name="the same queries as plain SQL (same run)",
            note=f"{len(found)} hits; the old scan read {rows:,} matters",
            extra={"hits": len(found), "rows_old": rows, "mismatches": rising_mismatch},
        )
    ]
    seconds, found = _timed(lambda: hotspots.repeated(now, t))
    limit, plain_groups = _timed(lambda: repeated_sql(now, t))
    scan_groups = sorted((g["kind"], g["value"], g["count"], tuple(g["matter_ids"])) for g in found)
    same_groups = sorted((k, v, n, tuple(ids)) for k, v, n, ids in plain_groups)
    repeated_mismatch = int(scan_groups != same_groups)
    rows = _old_rows(now - dt.timedelta(days=t.repeat_days), now)
    ctx.say(
        f"  hotspots repeated: {seconds:.3f}s (plain SQL {limit:.3f}s), {len(found)} groups; "
        f"the old scan read {rows:,} rows"
    )
    figures.append(
        Figure(
            measure="hotspots",
            name=f"repeated address/phone ({t.repeat_days} days, GROUP BY)",
            value=seconds,
            unit="s",
            limit=limit,
            limit_name="the same queries as plain SQL (same run)",
            note=f"{len(found)} groups; the old scan read {rows:,} matters",
            extra={"groups": len(found), "rows_old": rows, "mismatches": repeated_mismatch},
        )
    )
    return figures
