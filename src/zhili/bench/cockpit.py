"""The cockpit at city scale (issue 15): GET /api/v1/cockpit/ for the city by district over the
last 30 days, as the city user, beside the same figures computed by plain SQL over the facts
(matters' counters by GROUP BY over the events, open red/orange risks and disputes by GROUP BY),
which must agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure, repeat
from zhili.bench.reads import _stats, api_as, groupby_counts

COCKPIT_TARGET_MS = 100.0
DAYS = 30

RISKS_SQL = (
    "SELECT substr(area_path, 1, 14) AS d, count(*) FROM risks_risk "
    "WHERE status = 'open' AND level = 'red' GROUP BY d"
)
DISPUTES_SQL = (
    "SELECT substr(area_path, 1, 14) AS d, count(*) FROM disputes_dispute "
    "WHERE received_at >= %s AND received_at < %s GROUP BY d"
)


def plain_sql(start: dt.date, end: dt.date) -> dict[str, dict[str, int]]:
    """{figure: {district code: n}} by plain SQL over the facts."""
    out: dict[str, dict[str, int]] = {"matters.created": {}}
    for code, counters in groupby_counts(start, end).items():
        out["matters.created"][code] = counters.get("created", 0)
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    with connection.cursor() as cursor:
        cursor.execute(RISKS_SQL)
        out["risks.red_open"] = {p.rstrip("/").rsplit("/", 1)[-1]: n for p, n in cursor.fetchall()}
        cursor.execute(DISPUTES_SQL, [lo, hi])
        out["disputes.received"] = {
            p.rstrip("/").rsplit("/", 1)[-1]: n for p, n in cursor.fetchall()
        }
    return out


def measure_cockpit(ctx: BenchContext, *, n: int = 50) -> list[Figure]:
    end = timezone.localdate(ctx.now)
    start = end - dt.timedelta(days=DAYS - 1)
    url = f"/api/v1/cockpit/?start={start.isoformat()}&end={end.isoformat()}"
    with api_as(ctx.users["city"]) as get:
        body = get(url).json()
        api_t = repeat(lambda: get(url), n=n, warmup=3)
    figures = {f["key"]: f for s in body["sections"] for f in s["figures"]}
    reps = max(1 if ctx.quick else 3, n // 10)
    facts = plain_sql(start, end)
    sql_t = repeat(lambda: plain_sql(start, end), n=reps, warmup=1)
    mismatches = []
    for key, by_district in facts.items():
        page = {c: v for c, v in figures[key]["children"].items() if v}
        sql = {c: v for c, v in by_district.items() if v}
        if page != sql:
            mismatches.append({"figure": key, "cockpit": page, "sql": sql})
    note = f"MISMATCH: {len(mismatches)} figures differ from plain SQL" if mismatches else ""
    info: dict[str, Any] = {
        "period": [start.isoformat(), end.isoformat()],
        "sections": [s["key"] for s in body["sections"]],
        "compared": list(facts),
        "mismatches": mismatches[:5],
        "api_ms": _stats(api_t),
        "sql_ms": _stats(sql_t),
    }
    return [
        Figure("cockpit", "city by district, 30 days, API p50", api_t.p(50), "ms",
               limit=sql_t.p(50), limit_name="plain SQL p50", note=note, extra=info),
        Figure("cockpit", "city by district, 30 days, API p95", api_t.p(95), "ms",
               limit=sql_t.p(95), limit_name="plain SQL p95", target=COCKPIT_TARGET_MS,
               target_text="≤ 100 ms", note=note),
    ]  # fmt: skip
