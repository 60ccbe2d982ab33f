"""Reads at city scale (issue 6, measures 2 and 3), each beside its limit measured in the same run.

``measure_lists``: the first page and a deep page (keyset cursor) of the open matters of a street
user and of a district user through the whole Django stack (in-process test client, bearer token),
beside the hand-written SQL a DBA would write for the same rows; the ORM query alone (the
selector's queryset as ``keyset_page`` runs it) is reported beside the SQL too, and all three must
return the same matters. ``measure_dashboard``: the city's measures by district for the last 30
days (read from the rollups) beside the same numbers computed by a GROUP BY over the fact tables,
which must agree. Query plans (EXPLAIN ANALYZE / EXPLAIN QUERY PLAN) go to ``Figure.extra``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure, Timer, repeat
from zhili.core.pagination import decode_cursor, keyset_page
from zhili.core.scoping import scope_paths
from zhili.matters import selectors
from zhili.matters.models import OPEN_STATUSES, Matter, MatterEvent, MatterUnit
from zhili.org.models import User

PAGE_SIZE = 50
DEEP_PAGE = 20  # the deep page: page 20, or half-way through the user's open matters if fewer
LIST_TARGET_MS = 20.0
LIST_TARGET_RATIO = 2.0
DASHBOARD_TARGET_MS = 100.0
DASHBOARD_TARGET_SPEEDUP = 20.0
DASHBOARD_DAYS = 30


# The API through the whole stack -----------------------------------------------------------------


def _host() -> str:
    """A Host header the settings accept (the in-process client sends 'testserver' otherwise)."""
    for h in settings.ALLOWED_HOSTS:
        if h != "*":
            return h.lstrip(".")
    return "localhost"


@contextmanager
def api_as(username: str) -> Iterator[Callable[[str], Any]]:
    """``get(url)`` → the response, as ``username`` with a fresh bearer token (revoked after)."""
    from zhili.org.services import token_create, token_revoke

    user = User.objects.get(username=username)
    token, raw = token_create(actor=None, user=user, name="bench")
    client = Client(HTTP_HOST=_host(), HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(url: str) -> Any:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} → {response.status_code}: {response.content[:300]!r}")
        return response

    try:
        yield get
    finally:
        token_revoke(actor=user, token=token)


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as q:
        fn()
    return len(q.captured_queries)


# Plans -------------------------------------------------------------------------------------------


def plan(sql: str, params: Any) -> list[str]:
    """EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of one statement, as lines."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        rows = cursor.fetchall()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


_DRIVING = (Matter._meta.db_table, MatterEvent._meta.db_table, "m", "e", "p", "p_1")
_PG_SCAN = re.compile(rf"\bon ({'|'.join(_DRIVING[:2])})( ({'|'.join(_DRIVING[2:])}))?\s+\(")
_SQLITE_SCAN = re.compile(rf"^\s*(SCAN|SEARCH) ({'|'.join(_DRIVING)})\b")


def plan_key(lines: list[str]) -> str:
    """The lines that decide the cost: how the matters and events are reached (not the lookups of
    joined rows), bitmap index scans, sorts and temporary B-trees, and the execution time."""
    keys = ("Bitmap Index Scan", "Sort Key", "Sort Method", "TEMP B-TREE", "Execution Time")
    picked = [
        line.strip()[:200]
        for line in lines
        if _PG_SCAN.search(line) or _SQLITE_SCAN.search(line) or any(k in line for k in keys)
    ]
    return " | ".join(picked)


def planner_stats() -> str:
    """Whether the planner has statistics for the matters (plans differ a lot without them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT GREATEST(last_analyze, last_autoanalyze), n_live_tup, n_dead_tup "
                "FROM pg_stat_user_tables WHERE relname = %s",
                [_M],
            )
            row = cursor.fetchone()
            return f"analyzed {row[0]}, live {row[1]}, dead {row[2]}" if row else "unknown"
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return (
            "sqlite_stat1 present" if cursor.fetchone()[0] else "no sqlite_stat1 (never ANALYZEd)"
        )


def _orm_sql(qs: QuerySet[Any]) -> tuple[str, Any]:
    return qs.query.get_compiler(using=qs.db).as_sql()


# Measure 2: scoped lists --------------------------------------------------------------------------

_M = Matter._meta.db_table
_U = Matter._meta.get_field("lead_unit").related_model._meta.db_table  # type: ignore[union-attr]
_A = Matter._meta.get_field("area").related_model._meta.db_table  # type: ignore[union-attr]
_C = Matter._meta.get_field("category").related_model._meta.db_table  # type: ignore[union-attr]
_MU = MatterUnit._meta.db_table
_E = MatterEvent._meta.db_table

# The columns matter_out() shows, and the joins they need (category, area, lead and suggested
# unit, the matter merged into).
_LIST_COLUMNS = (
    "m.id, m.number, m.title, m.description, c.code, c.name, m.channel, m.status, m.triage, "
    "a.code, a.name, m.address, m.lat, m.lng, m.anonymous, m.reporter_name, m.reporter_phone, "
    "lu.id, lu.name, su.id, su.name, m.created_at, m.due_at, m.handle_due, m.overdue, "
    "m.closed_at, m.solved, m.satisfied, mi.number, m.version"
)
_LIST_JOINS = (
    f"JOIN {_C} c ON c.id = m.category_id JOIN {_A} a ON a.id = m.area_id "
    f"LEFT JOIN {_U} lu ON lu.id = m.lead_unit_id LEFT JOIN {_U} su ON su.id = m.suggested_unit_id "
    f"LEFT JOIN {_M} mi ON mi.id = m.merged_into_id"
)


def _scope_branches(user: Any) -> list[tuple[str, list[Any]]] | None:
    """The user's scope written by hand: one (condition, params) per branch; None = everything.

    Area grants are ranges of ``area_path``; the user's own unit's matters (lead or co-unit) are
    a branch of their own when the unit has any, as MatterQuerySet.visible_to decides."""
    paths = scope_paths(user, Matter, "view")
    if paths is None or f"{settings.ZHILI_ROOT_CODE}/" in paths:
        return None
    branches: list[tuple[str, list[Any]]] = [
        ("m.area_path >= %s AND m.area_path < %s", [p, p[:-1] + "0"]) for p in paths
    ]
    unit_id = getattr(user, "unit_id", None)
    if unit_id:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {_M} WHERE lead_unit_id = %s), "
                f"EXISTS (SELECT 1 FROM {_MU} WHERE unit_id = %s)",
                [unit_id, unit_id],
            )
            lead, co = cursor.fetchone()
        if lead:
            branches.append(("m.lead_unit_id = %s", [unit_id]))
        if co:
            branches.append(
                (f"m.id IN (SELECT matter_id FROM {_MU} WHERE unit_id = %s)", [unit_id])
            )
    return branches


def list_sql(user: Any, *, before: int | None, limit: int) -> tuple[str, list[Any]]:
    """The page a DBA would write: open matters in scope, newest first, ``limit`` rows, below the
    cursor's id. Several scope branches become a UNION of one ordered, limited scan each."""
    statuses = list(OPEN_STATUSES)
    open_sql = f"m.status IN ({', '.join(['%s'] * len(statuses))})"
    after = " AND m.id < %s" if before is not None else ""
    after_params = [before] if before is not None else []
    head = f"SELECT {_LIST_COLUMNS} FROM {_M} m {_LIST_JOINS}"
    branches = _scope_branches(user)
    if branches is None:
        where, params = f"{open_sql}{after}", [*statuses, *after_params]
    elif not branches:
        where, params = "1 = 0", []
    elif len(branches) == 1:
        cond, cond_params = branches[0]
        where, params = f"{cond} AND {open_sql}{after}", [*cond_params, *statuses, *after_params]
    else:
        parts, params = [], []
        for i, (cond, cond_params) in enumerate(branches):
            parts.append(
                f"SELECT id FROM (SELECT m.id FROM {_M} m WHERE {cond} AND {open_sql}{after} "
                f"ORDER BY m.id DESC LIMIT {int(limit)}) b{i}"
            )
            params += [*cond_params, *statuses, *after_params]
        where = f"m.id IN ({' UNION '.join(parts)})"
    return f"{head} WHERE {where} ORDER BY m.id DESC LIMIT {int(limit)}", params


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _list_page_figures(
    *,
    ctx: BenchContext,
    role: str,
    user: Any,
    get: Callable[[str], Any],
    url: str,
    cursor: str | None,
    page_no: int,
    page_size: int,
    n: int,
    extra: dict[str, Any],
) -> list[Figure]:
    first = cursor is None
    before = None if first else int(decode_cursor(cursor or "", 1)[0])
    label = f"{role} user, {'first page' if first else f'deep page (page {page_no})'}"
    page_url = url if first else f"{url}&cursor={cursor}"

    api_numbers = [m["number"] for m in get(page_url).json()["items"]]
    api_t = repeat(lambda: get(page_url), n=n, warmup=5)
    api_queries = _queries(lambda: get(page_url))

    qs = selectors.matter_rows(user, selectors.MatterFilters(status=",".join(OPEN_STATUSES)))
    orm_numbers = [
        r["number"] for r in keyset_page(qs, order=("-id",), cursor=cursor, limit=page_size).items
    ]
    orm_t = repeat(
        lambda: keyset_page(qs, order=("-id",), cursor=cursor, limit=page_size), n=n, warmup=5
    )
    orm_qs = qs.order_by("-id")
    if before is not None:
        orm_qs = orm_qs.filter(id__lt=before)
    orm_sql, orm_params = _orm_sql(orm_qs[: page_size + 1])

    sql, params = list_sql(user, before=before, limit=page_size + 1)
    sql_numbers = [r[1] for r in _fetch(sql, params)][:page_size]
    sql_t = repeat(lambda: _fetch(sql, params), n=n, warmup=5)

    same = api_numbers == orm_numbers == sql_numbers
    orm_plan, sql_plan = plan(orm_sql, orm_params), plan(sql, params)
    info = {
        **extra,
        "page": page_no,
        "cursor_id": before,
        "rows": len(api_numbers),
        "same_rows": same,
        "mismatch": None
        if same
        else {"api": api_numbers[:5], "orm": orm_numbers[:5], "sql": sql_numbers[:5]},
        "api_ms": _stats(api_t),
        "orm_ms": _stats(orm_t),
        "sql_ms": _stats(sql_t),
        "api_queries_per_request": api_queries,
        "orm_plan_key": plan_key(orm_plan),
        "sql_plan_key": plan_key(sql_plan),
        "orm_plan": orm_plan,
        "sql_plan": sql_plan,
        "orm_sql": orm_sql,
        "sql": sql,
        "planner_stats": planner_stats(),
        "debug": settings.DEBUG,
    }
    if not same:
        ctx.say(f"list {label}: the API, the ORM and the SQL return different matters")
    note = "" if same else "MISMATCH: the API, the ORM and the SQL return different matters"
    target, target_text = (LIST_TARGET_MS, "≤ 20 ms") if first else (None, "")
    ratio_target, ratio_text = (LIST_TARGET_RATIO, "≤ 2× SQL") if first else (None, "")
    sql_name = "hand-written SQL"
    api_ratio, orm_ratio = api_t.p(95) / sql_t.p(95), orm_t.p(95) / sql_t.p(95)
    return [
        Figure("list", f"{label}, API p50", api_t.p(50), "ms", limit=sql_t.p(50),
               limit_name=f"{sql_name} p50", note=note, extra=info),
        Figure("list", f"{label}, API p95", api_t.p(95), "ms", limit=sql_t.p(95),
               limit_name=f"{sql_name} p95", target=target, target_text=target_text, note=note),
        Figure("list", f"{label}, ORM query p95", orm_t.p(95), "ms", limit=sql_t.p(95),
               limit_name=f"{sql_name} p95", note="the selector's queryset, list(qs[:limit + 1])"),
        Figure("list", f"{label}, API ÷ SQL (p95)", api_ratio, "×", target=ratio_target,
               target_text=ratio_text, note=f"p50: {api_t.p(50) / sql_t.p(50):.1f}×"),
        Figure("list", f"{label}, ORM query ÷ SQL (p95)", orm_ratio, "×", target=ratio_target,
               target_text=ratio_text, note=f"p50: {orm_t.p(50) / sql_t.p(50):.1f}×"),
    ]  # fmt: skip


def _stats(t: Timer) -> dict[str, float]:
    return {"n": len(t), "p50": round(t.p(50), 3), "p95": round(t.p(95), 3)}


def measure_lists(ctx: BenchContext, *, n: int = 200, page_size: int = PAGE_SIZE) -> list[Figure]:
    """The first page and a deep page of open matters for the street and the district user."""
    figures: list[Figure] = []
    statuses = ",".join(OPEN_STATUSES)
    url = f"/api/v1/matters?status={statuses}&limit={page_size}"
    for role in ("street", "district"):
        user = User.objects.get(username=ctx.users[role])
        visible = selectors.matter_list(user, selectors.MatterFilters(status=statuses)).count()
        pages = max(1, math.ceil(visible / page_size))
        deep = min(DEEP_PAGE, (pages + 1) // 2) if pages >= 3 else pages
        extra = {"user": user.username, "open_visible": visible, "pages": pages, "deep": deep}
        ctx.say(f"list: {role} user {user.username}, {visible} open matters, deep page {deep}")
        with api_as(user.username) as get:
            figures += _list_page_figures(
                ctx=ctx, role=role, user=user, get=get, url=url, cursor=None, page_no=1,
                page_size=page_size, n=n, extra=extra,
            )  # fmt: skip
            cursor, page_no = None, 1
            while page_no < deep:
                nxt = get(f"{url}&cursor={cursor}" if cursor else url).json()["next"]
                if nxt is None:
                    break
                cursor, page_no = nxt, page_no + 1
            if cursor is None:
                ctx.say(f"list: {role} user has one page of open matters, no deep page")
                continue
            figures += _list_page_figures(
                ctx=ctx, role=role, user=user, get=get, url=url, cursor=cursor, page_no=page_no,
                page_size=page_size, n=n, extra=extra,
            )  # fmt: skip
    return figures


# Measure 3: the dashboard ------------------------------------------------------------------------

# Counters a GROUP BY over the facts can recompute exactly. signed_on_time and contacted_on_time
# compare with the sign/contact deadline as it was at the event; the facts keep only the current
# deadline (a reopen renews it, a resume shifts it), so they are not compared.
COMPARED = (
    "created", "accepted", "rejected", "dispatched", "redispatched", "returned", "signed",
    "contacted", "verified", "reworked", "closed", "extended", "suspended", "self_handled",
    "rated", "solved", "satisfied", "reopened", "merged",
    "due", "due_closed", "due_closed_on_time", "due_suspended",
)  # fmt: skip


def _truthy(key: str) -> str:
    """``bool(e.data.get(key))`` for a JSON boolean, on each database."""
    if connection.vendor == "postgresql":
        return f"(e.data ->> '{key}') = 'true'"
    return f"json_extract(e.data, '$.{key}') = 1"


def _when(cond: str) -> str:
    return f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)"


def groupby_sql(start: dt.date, end: dt.date) -> list[tuple[str, dict[str, Any]]]:
    """The measures by district from the fact tables (docs/matters.md "Metrics"): event counters
    on the event's local day, the 应结 cohort on the local day of ``handle_due``; matters at the
    city level (no district) are in no district, as in the rollups."""
    tz = timezone.get_current_timezone()
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    adapt = connection.ops.adapt_datetimefield_value
    params = {"lo": adapt(lo), "hi": adapt(hi), "root": settings.ZHILI_ROOT_CODE}
    # A dispatch is a re-dispatch when the matter has an earlier one (dispatch_count > 1).
    again = (
        f"CASE WHEN e.action = 'dispatch' AND EXISTS (SELECT 1 FROM {_E} p WHERE "
        "p.matter_id = e.matter_id AND p.action = 'dispatch' AND p.id < e.id) THEN 1 ELSE 0 END"
    )
    accepted = (
        "e.from_status = 'submitted' AND e.to_status NOT IN ('submitted', 'rejected', 'merged')"
    )
    events = f"""
        SELECT m.district_code,
          {_when("e.action = 'submit'")} AS created,
          {_when(accepted)} AS accepted,
          {_when("e.action = 'reject'")} AS rejected,
          {_when("e.action = 'dispatch' AND e.again = 0")} AS dispatched,
          {_when("e.again = 1")} AS redispatched,
          {_when("e.action = 'return'")} AS returned,
          {_when("e.action = 'sign'")} AS signed,
          {_when("e.action = 'verify'")} AS verified,
          {_when(f"e.action = 'verify' AND NOT COALESCE({_truthy('passed')}, FALSE)")} AS reworked,
          {_when("e.to_status = 'closed' AND e.from_status <> 'closed'")} AS closed,
          {_when(f"e.action = 'approve_extension' AND {_truthy('approved')}")} AS extended,
          {_when("e.action = 'suspend'")} AS suspended,
          {_when("e.action = 'self_handle'")} AS self_handled,
          {_when("e.action = 'rate'")} AS rated,
          {_when(f"e.action = 'rate' AND {_truthy('solved')}")} AS solved,
          {_when(f"e.action = 'rate' AND {_truthy('satisfied')}")} AS satisfied,
          {_when("e.action = 'reopen'")} AS reopened,
          {_when("e.action = 'merge'")} AS merged
        FROM (SELECT e.matter_id, e.action, e.from_status, e.to_status, e.data, {again} AS again
              FROM {_E} e WHERE e.at >= %(lo)s AND e.at < %(hi)s) e
        JOIN {_M} m ON m.id = e.matter_id
        WHERE m.district_code <> %(root)s
        GROUP BY m.district_code"""
    due = "m.handle_due >= %(lo)s AND m.handle_due < %(hi)s AND m.status NOT IN ('rejected', 'merged')"
    contacted = "m.contacted_at >= %(lo)s AND m.contacted_at < %(hi)s"
    closed = "m.status IN ('closed', 'rated')"
    matters = f"""
        SELECT m.district_code,
          {_when(f"{contacted} AND m.contact_due IS NOT NULL")} AS contacted,
          {_when(due)} AS due,
          {_when(f"{due} AND {closed}")} AS due_closed,
          {_when(f"{due} AND {closed} AND m.closed_at <= m.handle_due")} AS due_closed_on_time,
          {_when(f"{due} AND m.status = 'suspended'")} AS due_suspended
        FROM {_M} m
        WHERE ((m.handle_due >= %(lo)s AND m.handle_due < %(hi)s) OR ({contacted}))
          AND m.district_code <> %(root)s
        GROUP BY m.district_code"""
    return [(events, params), (matters, params)]


def groupby_counts(start: dt.date, end: dt.date) -> dict[str, dict[str, int]]:
    """{district code: {counter: n}} by the GROUP BYs over the facts."""
    out: dict[str, dict[str, int]] = {}
    with connection.cursor() as cursor:
        for sql, params in groupby_sql(start, end):
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description][1:]
            for code, *values in cursor.fetchall():
                row = out.setdefault(code, dict.fromkeys(COMPARED, 0))
                row.update({k: int(v or 0) for k, v in zip(names, values, strict=True)})
    return out


def compare_counts(
    page: dict[str, dict[str, int]], facts: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """Every (district, counter) where the page and the GROUP BY differ (absent = zero)."""
    out = []
    for code in sorted(set(page) | set(facts)):
        a, b = page.get(code, {}), facts.get(code, {})
        for k in COMPARED:
            if a.get(k, 0) != b.get(k, 0):
                out.append(
                    {"district": code, "counter": k, "page": a.get(k, 0), "sql": b.get(k, 0)}
                )
    return out


def overdue_scan() -> dict[str, Any]:
    """The live part of the dashboard: the open matters past their deadline it counts by district
    (``metrics._overdue``), how many there are and how they are reached (the same filter and
    grouping written by hand)."""
    marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    ph = "?" if connection.vendor == "sqlite" else "%s"
    sql = (
        f"SELECT substr(area_path, 1, 14), district_code, COUNT(*) FROM {_M} "
        f"WHERE status IN ({marks}) AND due_at < {ph} GROUP BY 1, 2"
    ).replace("%s", ph)
    params: list[Any] = [*(str(s) for s in OPEN_STATUSES), timezone.now()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = sum(r[2] for r in cursor.fetchall())
    return {"open_overdue": rows, "plan": plan_key(plan(sql, params))}


def measure_dashboard(ctx: BenchContext, *, n: int = 50) -> list[Figure]:
    """GET /api/v1/metrics/matters for the last 30 days as the city user, beside the GROUP BY."""
    end = timezone.localdate(ctx.now)
    start = end - dt.timedelta(days=DASHBOARD_DAYS - 1)
    # ?days=30 counts back from today's date; the generated city's clock may differ, so the
    # period is given explicitly (the same rows the page reads for days=30 on that day).
    url = f"/api/v1/metrics/matters?from={start.isoformat()}&to={end.isoformat()}"
    username = ctx.users["city"]
    with api_as(username) as get:
        body = get(url).json()
        api_t = repeat(lambda: get(url), n=n, warmup=3)
        api_queries = _queries(lambda: get(url))
    page = {r["key"]: r["counts"] for r in body["rows"] if r["key"]}
    facts = groupby_counts(start, end)
    reps = max(1 if ctx.quick else 3, n // 10)
    sql_t = repeat(lambda: groupby_counts(start, end), n=reps, warmup=1)
    mismatches = compare_counts(page, facts)
    totals = {k: sum(r.get(k, 0) for r in facts.values()) for k in COMPARED}
    total_mismatch = {
        k: {"page": body["totals"]["counts"].get(k, 0), "sql": v}
        for k, v in totals.items()
        if body["totals"]["counts"].get(k, 0) != v
    }
    plans = [plan_key(plan(sql, params)) for sql, params in groupby_sql(start, end)]
    if mismatches or total_mismatch:
        ctx.say(f"dashboard: {len(mismatches)} district counters differ from the GROUP BY")
    note = (
        f"MISMATCH: {len(mismatches)} (district, counter) cells differ from the GROUP BY"
        if mismatches or total_mismatch
        else ""
    )
    info = {
        "user": username,
        "period": [start.isoformat(), end.isoformat()],
        "today_is_ctx_day": end == timezone.localdate(),
        "districts": len(page),
        "compared_counters": list(COMPARED),
        "compared_cells": len(set(page) | set(facts)) * len(COMPARED),
        "mismatches": mismatches[:50],
        "mismatch_count": len(mismatches),
        "total_mismatches": total_mismatch,
        "totals": {k: totals[k] for k in ("created", "closed", "rated", "due", "due_closed")},
        "api_ms": _stats(api_t),
        "groupby_ms": _stats(sql_t),
        "api_queries_per_request": api_queries,
        "groupby_plan_keys": plans,
        "overdue_scan": overdue_scan(),
        "planner_stats": planner_stats(),
        "debug": settings.DEBUG,
    }
    speedup = sql_t.p(50) / api_t.p(50)
    name = "GROUP BY over the facts"
    return [
        Figure("dashboard", "city by district, 30 days, API p50", api_t.p(50), "ms",
               limit=sql_t.p(50), limit_name=f"{name} p50", note=note, extra=info),
        Figure("dashboard", "city by district, 30 days, API p95", api_t.p(95), "ms",
               limit=sql_t.p(95), limit_name=f"{name} p95", target=DASHBOARD_TARGET_MS,
               target_text="≤ 100 ms", note=note),
        Figure("dashboard", "GROUP BY ÷ API (p50): times faster", speedup, "×", better="higher",
               target=DASHBOARD_TARGET_SPEEDUP, target_text="≥ 20×",
               note=f"p95: {sql_t.p(95) / api_t.p(95):.1f}×"),
    ]  # fmt: skip
