"""The warning rules as plain SQL (PostgreSQL and SQLite alike), for the benchmark: the same
checks as ``rules.py`` written by hand, so the ORM's queries can be timed against them and their
findings compared (``bench.py``). Returns (project id, rule, month) keys, as ``rules`` finds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.db import connection

from zhili.wages import rules
from zhili.wages.models import WageRule

Key = tuple[int, str, dt.date]
BUILDING = "p.status = 'building'"


def _rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _month(v: Any) -> dt.date:
    return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)[:10])


def _last_due_month(today: dt.date, grace: int) -> dt.date:
    last = rules.month_start(today)
    while rules.month_end(rules.add_months(last, 1)) + dt.timedelta(days=grace) >= today:
        last = rules.add_months(last, -1)
    return last


def no_payroll(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    sql = f"""
        SELECT a.project_id, a.month FROM wages_attendance a
        JOIN wages_project p ON p.id = a.project_id
        WHERE {BUILDING} AND a.days > 0 AND a.month >= %s AND a.month <= %s
          AND NOT EXISTS (SELECT 1 FROM wages_bankpayment b
                          WHERE b.project_id = a.project_id AND b.month = a.month)
        GROUP BY a.project_id, a.month"""
    last = _last_due_month(today, int(r.threshold))
    return [(p, r.code, _month(m)) for p, m in _rows(sql, [first, last])]


def unpaid(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    # Set-based, no subquery per attendance row: the attendees without a payment in a month the
    # account paid someone (NOT EXISTS / EXISTS: an anti-join and a semi-join), counted per
    # month, beside the month's attendees. (The payments pre-aggregated per project, month and
    # worker and LEFT JOINed took 2.6× as long on PostgreSQL: docs/performance.md.)
    sql = f"""
        WITH att AS (
            SELECT a.project_id, a.month, COUNT(*) AS total
            FROM wages_attendance a JOIN wages_project p ON p.id = a.project_id
            WHERE {BUILDING} AND a.days > 0 AND a.month >= %s
            GROUP BY a.project_id, a.month),
        miss AS (
            SELECT a.project_id, a.month, COUNT(*) AS missing
            FROM wages_attendance a JOIN wages_project p ON p.id = a.project_id
            WHERE {BUILDING} AND a.days > 0 AND a.month >= %s
              AND NOT EXISTS (SELECT 1 FROM wages_bankpayment b WHERE b.project_id = a.project_id
                              AND b.month = a.month AND b.worker_id = a.worker_id)
              AND EXISTS (SELECT 1 FROM wages_bankpayment b
                          WHERE b.project_id = a.project_id AND b.month = a.month)
            GROUP BY a.project_id, a.month)
        SELECT miss.project_id, miss.month, att.total, miss.missing
        FROM miss JOIN att ON att.project_id = miss.project_id AND att.month = miss.month"""
    return [
        (p, r.code, _month(m))
        for p, m, total, missing in _rows(sql, [first, first])
        if Decimal(missing * 100) / total > r.threshold
    ]


def _minimum_case(levels: list[tuple[str, Decimal]]) -> tuple[str, list[Any]]:
    """The minimum of the row's area among ``levels`` (NULL without any)."""
    if not levels:
        return "NULL", []
    case, params = "CASE", []
    for path, amount in sorted(levels, key=lambda lv: -len(lv[0])):  # the deepest level first
        case += " WHEN p.area_path >= %s AND p.area_path < %s THEN CAST(%s AS NUMERIC)"
        params += [path, path[:-1] + chr(ord("/") + 1), amount]
    return case + " END", params


def below_minimum(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    # Each worker-month against the standard in force on the first day of its month: a CASE over
    # the standard's periods in the window (b.month before the next period's first month), each
    # the CASE over the levels in force in that period.
    full = r.threshold or Decimal("21.75")
    periods = rules.minimum_periods(first)
    if not any(levels for _start, levels in periods):
        return []
    # Typed, so that SQLite compares 22 days with 21.75 as numbers (a bare parameter is text
    # there, and any number sorts before text: 22 < '21.75' held, and a full month of 22 days
    # counted as 22/21.75 of the minimum).
    num = "CAST(%s AS NUMERIC)"
    whens, params = "", []
    for (_start, levels), (nxt, _) in pairwise(periods):
        inner, inner_params = _minimum_case(levels)
        whens += f" WHEN b.month < %s THEN {inner}"
        params += [nxt, *inner_params]
    last, last_params = _minimum_case(periods[-1][1])
    case = f"CASE{whens} ELSE {last} END" if whens else last
    params += last_params
    sql = f"""
        SELECT DISTINCT x.project_id, x.month FROM (
            SELECT b.project_id, b.month, {case} AS minimum, SUM(b.amount) AS total,
                   CASE WHEN COALESCE(a.days, {num}) < {num} THEN COALESCE(a.days, {num})
                        ELSE {num} END AS days
            FROM wages_bankpayment b
            JOIN wages_project p ON p.id = b.project_id
            LEFT JOIN wages_attendance a ON a.project_id = b.project_id
                 AND a.month = b.month AND a.worker_id = b.worker_id
            WHERE {BUILDING} AND b.month >= %s
            GROUP BY b.project_id, b.month, b.worker_id, p.area_path, a.days) x
        WHERE x.total < x.minimum * x.days / {num}"""
    params += [full, full, full, full, first, full]
    return [(p, r.code, _month(m)) for p, m in _rows(sql, params)]


def proxy(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    sql = f"""
        SELECT DISTINCT x.project_id, x.month FROM (
            SELECT b.project_id, b.month FROM wages_bankpayment b
            JOIN wages_project p ON p.id = b.project_id
            WHERE {BUILDING} AND b.month >= %s
            GROUP BY b.project_id, b.month, b.worker_id HAVING SUM(b.amount) > %s) x"""
    return [(p, r.code, _month(m)) for p, m in _rows(sql, [first, r.threshold])]


SUMS = """
    dep AS (SELECT project_id, SUM(amount) AS s FROM wages_labourdeposit GROUP BY project_id),
    paid AS (SELECT project_id, SUM(amount) AS s FROM wages_bankpayment GROUP BY project_id)"""


def balance(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    sql = f"""
        WITH {SUMS},
        pm AS (SELECT project_id, month, SUM(amount) AS s FROM wages_bankpayment
               GROUP BY project_id, month),
        last AS (SELECT pm.project_id, pm.s FROM pm JOIN (
                    SELECT project_id, MAX(month) AS m FROM pm GROUP BY project_id) x
                 ON x.project_id = pm.project_id AND x.m = pm.month)
        SELECT p.id FROM wages_project p JOIN last ON last.project_id = p.id
        LEFT JOIN dep ON dep.project_id = p.id LEFT JOIN paid ON paid.project_id = p.id
        WHERE {BUILDING} AND last.s > 0
          AND COALESCE(dep.s, 0) - COALESCE(paid.s, 0) < last.s * %s"""
    month = rules.month_start(today)
    return [(p, r.code, month) for (p,) in _rows(sql, [r.threshold])]


def labour_share(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    sql = f"""
        WITH {SUMS},
        prog AS (SELECT g.project_id, g.percent FROM wages_progress g JOIN (
                    SELECT project_id, MAX(month) AS m FROM wages_progress GROUP BY project_id) x
                 ON x.project_id = g.project_id AND x.m = g.month)
        SELECT p.id FROM wages_project p JOIN prog ON prog.project_id = p.id
        LEFT JOIN dep ON dep.project_id = p.id
        WHERE {BUILDING} AND prog.percent > 0
          AND COALESCE(dep.s, 0) < p.contract_value * p.labour_share * prog.percent / 10000
                                   * %s / 100"""
    month = rules.month_start(today)
    return [(p, r.code, month) for (p,) in _rows(sql, [r.threshold])]


def _missing(today: dt.date, r: WageRule, condition: str) -> list[Key]:
    started = today - dt.timedelta(days=int(r.threshold))
    sql = f"SELECT p.id FROM wages_project p WHERE {BUILDING} AND p.start_on <= %s AND {condition}"
    month = rules.month_start(today)
    return [(p, r.code, month) for (p,) in _rows(sql, [started])]


def account(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    return _missing(
        today, r, "NOT EXISTS (SELECT 1 FROM wages_wageaccount w WHERE w.project_id = p.id)"
    )


def deposit(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    started = today - dt.timedelta(days=int(r.threshold))
    sql = f"""SELECT p.id FROM wages_project p WHERE {BUILDING} AND p.start_on <= %s
              AND NOT EXISTS (SELECT 1 FROM wages_wagedeposit d WHERE d.project_id = p.id
                              AND (d.valid_until IS NULL OR d.valid_until >= %s))"""
    month = rules.month_start(today)
    return [(p, r.code, month) for (p,) in _rows(sql, [started, today])]


def notice(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    return _missing(today, r, "p.notice_board_id IS NULL")


def complaint(today: dt.date, first: dt.date, r: WageRule) -> list[Key]:
    sql = f"""
        SELECT c.project_id FROM wages_projectcomplaint c
        JOIN wages_project p ON p.id = c.project_id
        JOIN matters_matter m ON m.id = c.matter_id
        WHERE {BUILDING} AND m.status NOT IN ('rejected', 'closed', 'rated', 'merged')
        GROUP BY c.project_id HAVING COUNT(*) >= %s"""
    month = rules.month_start(today)
    return [(p, r.code, month) for (p,) in _rows(sql, [max(int(r.threshold), 1)])]


CHECKS: dict[str, Callable[[dt.date, dt.date, WageRule], list[Key]]] = {
    "no_payroll": no_payroll,
    "unpaid": unpaid,
    "below_minimum": below_minimum,
    "proxy": proxy,
    "balance": balance,
    "labour_share": labour_share,
    "account": account,
    "deposit": deposit,
    "notice": notice,
    "complaint": complaint,
}


def evaluate(*, today: dt.date, only: set[str] | None = None) -> dict[str, list[Key]]:
    """Every enabled rule (or those in ``only``) over every project under construction, as SQL."""
    first = rules.add_months(rules.month_start(today), -rules.LOOKBACK_MONTHS)
    enabled = {r.code: r for r in WageRule.objects.filter(enabled=True)}
    return {
        code: check(today, first, enabled[code])
        for code, check in CHECKS.items()
        if code in enabled and (only is None or code in only)
    }
