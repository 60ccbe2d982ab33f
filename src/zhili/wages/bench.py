"""The nightly rule run at city scale: a generated set of projects, rosters and twelve months of
attendance, pay tables and bank payments (with the anomalies the rules look for), then the rules
timed as the ORM runs them (``rules.evaluate``) beside the same checks as plain SQL
(``bench_sql``), their findings compared, and the full nightly run (warnings written) timed.

Rows are written in bulk (COPY on PostgreSQL, ``zhili.bench.sink``), as the bank's and
contractors' imports would leave them (a bench machine, not the services). Sizes are parameters:
5,000 projects × 60 workers × 12 months is the city (300,000 workers, 3.6 million rows per monthly
table). ``make bench`` runs it as the measure ``wages`` (``figures``); ``zhili bench_wages`` alone
on any database.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from zhili.wages import bench_sql, rules
from zhili.wages.imports import ID_CHECK, ID_WEIGHTS
from zhili.wages.models import (
    Attendance,
    BankPayment,
    Firm,
    LabourDeposit,
    PayLine,
    Progress,
    Project,
    RosterEntry,
    WageAccount,
    WageDeposit,
    Worker,
)

BATCH = 5000


@dataclass(frozen=True)
class Size:
    projects: int = 200
    workers: int = 30  # per project
    months: int = 12
    seed: int = 1


def _id_number(n: int) -> str:
    body = f"5001{n:013d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _write(model: Any, rows: Iterator[dict[str, Any]]) -> int:
    """Rows of ``model`` (attribute names to values) by COPY/executemany, with their primary keys
    drawn here (from the table's top, read before the COPY starts) so nothing is read back."""
    from zhili.bench import sink

    ids = itertools.count(sink.Ids.top(model) + 1)

    def keyed() -> Iterator[dict[str, Any]]:
        for row in rows:
            row["id"] = next(ids)
            yield row

    return sink.write(model, keyed())


def generate(size: Size, *, today: dt.date) -> dict[str, int]:
    """Write the set; returns the row counts."""
    from zhili.areas.models import Area, Level

    rnd = random.Random(size.seed)
    streets = list(
        Area.objects.filter(level=Level.STREET, valid_to__isnull=True).values_list("id", "path")
    )
    if not streets:
        raise RuntimeError("没有区划数据：请先运行 zhili load_areas")
    first = rules.add_months(rules.month_start(today), -size.months)
    months = [rules.add_months(first, i) for i in range(size.months)]
    counts: dict[str, int] = {}
    # Each table is its own statement and commit (COPY): no transaction holding millions of
    # pending foreign-key checks.
    firms = Firm.objects.bulk_create(
        [
            Firm(name=f"基准企业{i}", credit_code=f"91500000BENCH{i:05d}")
            for i in range(max(size.projects // 5, 3))
        ]
    )
    projects = []
    for i in range(size.projects):
        area_id, path = rnd.choice(streets)
        projects.append(
            Project(
                number=f"BENCH{size.seed}-{i:06d}",
                name=f"基准项目{i}",
                area_id=area_id,
                area_path=path,
                address="（生成数据）",
                builder=rnd.choice(firms),
                contractor=rnd.choice(firms),
                contract_value=Decimal(rnd.randrange(5, 500)) * 10**6,
                labour_share=Decimal(rnd.choice([15, 20, 25, 30])),
                start_on=first,
                labour_manager="（生成）",
                labour_manager_phone="13800000000",
            )
        )
    projects = Project.objects.bulk_create(projects)
    counts["projects"] = len(projects)
    from zhili.bench import sink

    monthly = [RosterEntry, Attendance, PayLine, BankPayment]
    counts["accounts"] = _write(
        WageAccount,
        (
            {
                "project_id": p.pk,
                "bank": "基准银行",
                "account_number": f"{p.pk:013d}",
                "opened_on": first,
            }
            for p in projects
            if rnd.random() < 0.97
        ),
    )
    counts["deposits"] = _write(
        WageDeposit,
        (
            {
                "project_id": p.pk,
                "kind": "deposit",
                "amount": Decimal(500000),
                "bank": "基准银行",
                "valid_until": None,
            }
            for p in projects
            if rnd.random() < 0.95
        ),
    )
    base = sink.Ids.top(Worker)
    n_workers = size.projects * size.workers
    counts["workers"] = _write(
        Worker,
        (
            {
                "id_number": _id_number(base + n),
                "name": f"工人{n}",
                "phone": "",
                "bank_account": f"6222{n:012d}",
            }
            for n in range(n_workers)
        ),
    )
    crew = {
        p.pk: list(range(base + 1 + i * size.workers, base + 1 + (i + 1) * size.workers))
        for i, p in enumerate(projects)
    }
    with sink.indexes_deferred(monthly), sink.foreign_keys_deferred(monthly):
        counts.update(_write_monthly(rnd, projects, crew, months, first))
    counts["labour"] = _write(
        LabourDeposit,
        (
            {
                "project_id": p.pk,
                "amount": Decimal(size.workers * 6000)
                * rnd.choice([Decimal("0.5"), Decimal(1), Decimal(1), Decimal(1), Decimal("1.2")]),
                "paid_on": m,
                "reference": f"L{p.pk}-{m:%y%m}",
            }
            for p in projects
            for m in months
        ),
    )
    counts["progress"] = _write(
        Progress,
        (
            {
                "project_id": p.pk,
                "month": m,
                "percent": Decimal(min(100, (i + 1) * 100 // (size.months + 2))),
            }
            for p in projects
            for i, m in enumerate(months)
        ),
    )
    sink.reset_sequences([WageAccount, WageDeposit, Worker, *monthly, LabourDeposit, Progress])
    return counts


# The monthly tables as tuples in their COPY column order (month and dates as ISO text, amounts
# in whole yuan): 11 million rows at city size, so no dict or Decimal per row and no field
# conversion; the values are the ones ``sink.write`` would send (tests/test_bench.py compares).
MONTHLY_COLUMNS: dict[Any, tuple[str, ...]] = {
    RosterEntry: ("id", "project_id", "worker_id", "employer_id", "trade", "entered_on", "left_on"),
    Attendance: ("id", "project_id", "worker_id", "month", "days"),
    PayLine: ("id", "project_id", "worker_id", "month", "amount", "signed"),
    BankPayment: ("id", "project_id", "worker_id", "month", "amount", "paid_on", "reference"),
}
COPY_LINE = {  # PostgreSQL COPY text format, one line per tuple
    RosterEntry: "%d\t%d\t%d\t%d\t%s\t%s\t\\N\n",
    Attendance: "%d\t%d\t%d\t%s\t%d\n",
    PayLine: "%d\t%d\t%d\t%s\t%d\tt\n",
    BankPayment: "%d\t%d\t%d\t%s\t%d\t%s\t%s\n",
}
PROJECTS_PER_COPY = 100  # 72,000 rows per table and statement at 60 workers × 12 months


def _copy_rows(model: Any, rows: list[tuple[Any, ...]]) -> None:
    """One statement: COPY text built in bulk on PostgreSQL, executemany on SQLite."""
    q = connection.ops.quote_name
    table, columns = q(model._meta.db_table), MONTHLY_COLUMNS[model]
    cols = ", ".join(q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            line = COPY_LINE[model]
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for i in range(0, len(rows), 20000):
                    copy.write("".join([line % r for r in rows[i : i + 20000]]))
        else:
            if model is RosterEntry:
                rows = [(*r, None) for r in rows]
            elif model is PayLine:
                rows = [(*r, True) for r in rows]
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def _write_monthly(
    rnd: random.Random,
    projects: list[Project],
    crew: dict[int, list[int]],
    months: list[dt.date],
    first: dt.date,
) -> dict[str, int]:
    """Roster, attendance, pay table and bank payment of every worker-month, in one pass over the
    projects, a batch of projects per statement. About 3 % of project-months have nothing paid
    through the account, 5 % leave one to four attendees out, 1 % of worker-months are paid
    below the minimum, 0.2 % of project-months pay one card everyone's wage (45,000)."""
    from zhili.bench import sink

    r = random.Random(rnd.randrange(1 << 30))
    rand = r.random
    ids = {m: sink.Ids.top(m) + 1 for m in MONTHLY_COLUMNS}
    counts = dict.fromkeys(("roster", "attendance", "paylines", "payments"), 0)
    iso = [(m, m.isoformat(), rules.month_end(m).isoformat(), f"{m:%y%m}") for m in months]
    entered = first.isoformat()
    for b in range(0, len(projects), PROJECTS_PER_COPY):
        roster: list[tuple[Any, ...]] = []
        att: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        paid: list[tuple[Any, ...]] = []
        a_id, l_id, p_id = ids[Attendance], ids[PayLine], ids[BankPayment]
        for p in projects[b : b + PROJECTS_PER_COPY]:
            pk, team = p.pk, crew[p.pk]
            for w in team:
                roster.append((ids[RosterEntry], pk, w, p.contractor_id, "", entered))
                ids[RosterEntry] += 1
            for _m, month, paid_on, yymm in iso:
                unpaid_month = rand() < 0.03  # nothing through the account
                short = rand() < 0.05  # a few attendees left out
                proxy = rand() < 0.002  # one card takes everyone's pay
                for k, w in enumerate(team):
                    days = 15 + int(rand() * 12)  # 15–26
                    amount = days * (230 + int(rand() * 191))  # 230–420 a day
                    if rand() < 0.01:
                        amount = 300 + int(rand() * 1201)  # below the minimum
                    if proxy and k == 0:
                        amount = 45000
                    att.append((a_id, pk, w, month, days))
                    lines.append((l_id, pk, w, month, amount))
                    a_id += 1
                    l_id += 1
                    if not unpaid_month and not (short and k < 1 + int(rand() * 4)):
                        paid.append((p_id, pk, w, month, amount, paid_on, f"B{pk}-{yymm}-{w}"))
                        p_id += 1
        ids[Attendance], ids[PayLine], ids[BankPayment] = a_id, l_id, p_id
        for model, rows, key in (
            (RosterEntry, roster, "roster"),
            (Attendance, att, "attendance"),
            (PayLine, lines, "paylines"),
            (BankPayment, paid, "payments"),
        ):
            _copy_rows(model, rows)
            counts[key] += len(rows)
    return counts


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def measure(*, today: dt.date, propose: bool = True) -> dict[str, Any]:
    """Each rule by the ORM and as SQL (seconds, findings, agreement), and the full nightly run
    (as ``tasks.wages_nightly`` runs it: warnings written and red ones proposed as risk
    candidates)."""
    from zhili.wages.services import warnings_run

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    result: dict[str, Any] = {"rules": {}}
    sql_all: dict[str, set[tuple[int, str, dt.date]]] = {}
    for code in bench_sql.CHECKS:
        only = {code}

        def orm(only: set[str] = only) -> list[rules.Finding]:
            return rules.evaluate(today=today, only=only)

        def sql(only: set[str] = only) -> list[bench_sql.Key]:
            return [k for keys in bench_sql.evaluate(today=today, only=only).values() for k in keys]

        t_orm, found = _timed(orm)
        t_sql, keys = _timed(sql)
        orm_keys = {(f.project_id, f.rule, f.period) for f in found}
        sql_all[code] = set(keys)
        result["rules"][code] = {
            "orm_seconds": round(t_orm, 3),
            "sql_seconds": round(t_sql, 3),
            "findings": len(orm_keys),
            "same": orm_keys == set(keys),
        }
    t_total, found = _timed(lambda: rules.evaluate(today=today))
    result["orm_total_seconds"] = round(t_total, 3)
    t_sql_total, _keys = _timed(lambda: bench_sql.evaluate(today=today))
    result["sql_total_seconds"] = round(t_sql_total, 3)
    result["findings"] = len(found)
    t_run, fresh = _timed(lambda: warnings_run(today=today, propose=propose))
    result["nightly_seconds"] = round(t_run, 3)
    result["warnings_written"] = len(fresh)
    return result


def table(counts: dict[str, int], result: dict[str, Any]) -> str:
    lines = [
        "| 规则 | ORM (s) | SQL (s) | 命中 | 一致 |",
        "|---|---:|---:|---:|:---:|",
    ]
    for code, r in result["rules"].items():
        lines.append(
            f"| {code} | {r['orm_seconds']} | {r['sql_seconds']} | {r['findings']} | "
            f"{'是' if r['same'] else '否'} |"
        )
    lines.append("")
    lines.append(f"行数：{counts}")
    lines.append(
        f"全部规则：ORM {result['orm_total_seconds']} s，SQL {result['sql_total_seconds']} s，"
        f"命中 {result['findings']}；"
        f"夜间任务（含写入预警）{result['nightly_seconds']} s，新预警 "
        f"{result['warnings_written']}"
    )
    return "\n".join(lines)


def figures(ctx: Any, size: Size) -> list[Any]:
    """The measure ``wages`` of ``make bench``: generate the set in the bench database, then each
    rule and the whole nightly run beside the same checks as plain SQL in the same run."""
    from zhili.bench.figures import Figure

    today = ctx.now.date()
    ctx.say(
        f"  欠薪基准：{size.projects:,} 个项目 × {size.workers} 人 × {size.months} 个月"
        f"（{size.projects * size.workers:,} 名工人）"
    )
    if Project.objects.exists():  # ``--reuse``: measure the set generated before
        t_gen, counts = 0.0, {"projects": Project.objects.count()}
        ctx.say("  沿用已生成的项目集")
    else:
        t_gen, counts = _timed(lambda: generate(size, today=today))
    rows = sum(counts.values())
    ctx.say(f"  生成 {rows:,} 行，{t_gen:.1f} s")
    result = measure(today=today)
    ctx.say(table(counts, result))
    scale = f"{size.projects:,} projects × {size.workers} workers × {size.months} months"
    out = [
        Figure(
            measure="wages",
            name=f"generate ({scale}, COPY)",
            value=round(rows / t_gen, 1) if t_gen else 0.0,
            unit="rows/s",
            better="higher",
            note=f"{rows:,} rows in {t_gen:.1f} s" if t_gen else "reused",
            extra={"counts": counts},
        )
    ]
    for code, r in result["rules"].items():
        out.append(
            Figure(
                measure="wages",
                name=f"rule {code} (ORM)",
                value=r["orm_seconds"],
                unit="s",
                limit=r["sql_seconds"],
                limit_name="the same check as plain SQL",
                note=f"{r['findings']:,} findings; same as SQL: {'yes' if r['same'] else 'NO'}",
                extra=r,
            )
        )
    out.append(
        Figure(
            measure="wages",
            name=f"all rules ({scale})",
            value=result["orm_total_seconds"],
            unit="s",
            limit=result["sql_total_seconds"],
            limit_name="all checks as plain SQL",
            note=f"{result['findings']:,} findings",
        )
    )
    out.append(
        Figure(
            measure="wages",
            name="nightly run (rules + warnings written + risk candidates proposed)",
            value=result["nightly_seconds"],
            unit="s",
            limit=result["sql_total_seconds"],
            limit_name="all checks as plain SQL (no writes)",
            note=f"{result['warnings_written']:,} new warnings",
            extra={"warnings_written": result["warnings_written"]},
        )
    )
    return out
