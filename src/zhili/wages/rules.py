"""The warning rules, evaluated over sets: each rule is a few aggregate queries over every project
(or the projects of one import), never a Python loop over workers. A rule's numbers (severity,
threshold, reason) are rows of ``WageRule``, edited by the city; the minimum wage is rows of
``MinimumWage``. Each rule returns ``Finding`` rows; ``services.warnings_run`` turns them into
warnings. ``bench_sql.py`` holds the same checks as plain SQL for the benchmark.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext
from itertools import pairwise
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Least

from zhili.core.privacy import mask
from zhili.core.scoping import path_prefix_q
from zhili.wages.models import (
    Attendance,
    BankPayment,
    LabourDeposit,
    MinimumWage,
    Progress,
    Project,
    ProjectComplaint,
    ProjectStatus,
    RuleCode,
    Severity,
    WageAccount,
    WageDeposit,
    WageRule,
)

LOOKBACK_MONTHS = 12
MONEY = DecimalField(max_digits=16, decimal_places=2)
# Matters still open: not rejected, closed, rated or merged.
MATTER_DONE = ("rejected", "closed", "rated", "merged")


@dataclass(frozen=True)
class Finding:
    project_id: int
    rule: str
    period: dt.date
    severity: str
    summary: str  # the figures in one Chinese sentence
    evidence: dict[str, Any]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


def ym(month: dt.date) -> str:
    return f"{month.year}-{month.month:02d}"


@dataclass
class Context:
    today: dt.date
    projects_qs: Any  # the projects under check

    @property
    def projects(self) -> Any:
        return self.projects_qs.values("id")

    @property
    def this_month(self) -> dt.date:
        return month_start(self.today)

    @property
    def first_month(self) -> dt.date:
        return add_months(self.this_month, -LOOKBACK_MONTHS)

    def on(self, qs: Any, field: str = "project_id") -> Any:
        return qs.filter(**{f"{field}__in": self.projects})


def _money(v: Any) -> str:
    return f"{Decimal(v or 0):,.2f}"


def _q(v: Any) -> str:
    """An amount as stored text ("2099.99"), whatever precision the database summed it in."""
    return str(Decimal(v or 0).quantize(Decimal("0.01")))


# -- the rules ------------------------------------------------------------------------------------


def no_payroll(c: Context, rule: WageRule) -> list[Finding]:
    """A month with attendance and no payment through the account by the end of the next month
    (plus ``threshold`` days of grace)."""
    grace = int(rule.threshold)
    last = c.this_month
    while month_end(add_months(last, 1)) + dt.timedelta(days=grace) >= c.today:
        last = add_months(last, -1)
    paid = BankPayment.objects.filter(project_id=OuterRef("project_id"), month=OuterRef("month"))
    rows = (
        c.on(Attendance.objects.filter(days__gt=0, month__gte=c.first_month, month__lte=last))
        .values("project_id", "month")
        .annotate(workers=Count("id"))
        .filter(~Exists(paid))
    )
    return [
        Finding(
            r["project_id"],
            rule.code,
            r["month"],
            rule.severity,
            f"{ym(r['month'])} 有 {r['workers']} 人出勤，"
            f"截至 {month_end(add_months(r['month'], 1))} 未通过专用账户发放工资",
            {"month": ym(r["month"]), "workers": r["workers"]},
        )
        for r in rows
    ]


def unpaid(c: Context, rule: WageRule) -> list[Finding]:
    """In a month the account paid, the share of attendees it did not pay.

    Two grouped passes over the attendance, neither with a subquery per row: the attendees the
    account did not pay in a month it paid someone (an anti-join and a semi-join, which the
    planner runs as hash joins), and the attendees of each month (a plain count)."""
    paid_worker = BankPayment.objects.filter(
        project_id=OuterRef("project_id"), month=OuterRef("month"), worker_id=OuterRef("worker_id")
    )
    any_paid = BankPayment.objects.filter(
        project_id=OuterRef("project_id"), month=OuterRef("month")
    )
    attended = c.on(Attendance.objects.filter(days__gt=0, month__gte=c.first_month))

    def per_month(qs: Any) -> dict[tuple[int, dt.date], int]:
        rows = qs.values("project_id", "month").annotate(n=Count("id")).order_by()
        return {(r["project_id"], r["month"]): r["n"] for r in rows}

    unpaid_in = per_month(attended.filter(Exists(any_paid)).filter(~Exists(paid_worker)))
    totals = per_month(attended) if unpaid_in else {}
    out = []
    for (project_id, month), missing in sorted(unpaid_in.items()):
        total = totals[(project_id, month)]
        share = Decimal(missing * 100) / total
        if share <= rule.threshold:
            continue
        red = rule.red_above is not None and share > rule.red_above
        out.append(
            Finding(
                project_id,
                rule.code,
                month,
                Severity.RED if red else rule.severity,
                f"{ym(month)} 出勤 {total} 人，其中 {missing} 人未发工资（{share:.1f}%）",
                {
                    "month": ym(month),
                    "attendees": total,
                    "unpaid": missing,
                    "share": f"{share:.1f}",
                },
            )
        )
    return out


Levels = list[tuple[str, Decimal]]


def _levels_on(rows: Iterable[tuple[str, Decimal, dt.date]], day: dt.date) -> Levels:
    """(area path, monthly minimum) in force on ``day``: each area's latest row from ``rows``
    (ordered by area and date) not dated after ``day``."""
    found: dict[str, Decimal] = {}
    for path, amount, since in rows:
        if since <= day:
            found[path] = amount
    return sorted(found.items())


def _minimum_rows() -> list[tuple[str, Decimal, dt.date]]:
    return list(
        MinimumWage.objects.order_by("area_path", "effective_from").values_list(
            "area_path", "monthly", "effective_from"
        )
    )


def minimum_wages(today: dt.date) -> Levels:
    """(area path, monthly minimum) in force on ``today``, one per area (the latest)."""
    return _levels_on(_minimum_rows(), today)


def minimum_periods(first: dt.date) -> list[tuple[dt.date, Levels]]:
    """The minimum wage by month from the month ``first`` on, as periods: (the period's first
    month, the levels in force). A worker-month is judged against the standard in force on the
    **first day of that month**, so a row dated the 1st counts from its own month and a row dated
    later in a month from the next month. A new period starts at each month where some row comes
    into force; a look-back window holds one period, or two when it straddles an adjustment.
    One read of the (small) table."""
    rows = _minimum_rows()
    starts = {first}
    for _path, _amount, since in rows:
        if since > first:
            month = month_start(since)
            starts.add(month if month == since else add_months(month, 1))
    return [(start, _levels_on(rows, start)) for start in sorted(starts)]


def _worker_months(c: Context, *, days: bool = False) -> Any:
    """Payments per project, worker and month (with the worker's attendance days that month,
    joined as the same month's attendance row of the same project)."""
    qs = c.on(BankPayment.objects.filter(month__gte=c.first_month))
    if days:
        same_month = FilteredRelation(
            "worker__attendance",
            condition=Q(
                worker__attendance__project_id=F("project_id"), worker__attendance__month=F("month")
            ),
        )
        qs = qs.alias(att=same_month).values("project_id", "month", "worker_id", "att__days")
        return qs.annotate(total=Sum("amount"), days=F("att__days"))
    return qs.values("project_id", "month", "worker_id").annotate(total=Sum("amount"))


def _per_project_month(
    rows: Iterable[dict[str, Any]],
    make: Callable[[tuple[int, dt.date], list[dict[str, Any]], dict[int, str]], Finding],
) -> list[Finding]:
    """Group worker-month rows by project and month; the first five workers of each group are
    named (masked), all their names read in one query."""
    from zhili.wages.models import Worker

    groups: defaultdict[tuple[int, dt.date], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["project_id"], r["month"])].append(r)
    shown = {r["worker_id"] for g in groups.values() for r in g[:5]}
    names = {
        pk: mask("name", name)
        for pk, name in Worker.objects.filter(pk__in=shown).values_list("pk", "name")
    }
    return [make(k, v, names) for k, v in sorted(groups.items())]


def _named(rows: list[dict[str, Any]], names: dict[int, str]) -> list[str]:
    return [names.get(r["worker_id"], "") for r in rows[:5]]


def minimum_case(levels: Levels, field: str) -> Any:
    """The minimum wage of each row's area: the deepest level whose path is a prefix of it."""
    deepest_first = sorted(levels, key=lambda lv: -len(lv[0]))
    return Case(
        *[When(path_prefix_q(field, path), then=Value(amount)) for path, amount in deepest_first],
        default=Value(None),
        output_field=MONEY,
    )


def minimum_by_month(periods: list[tuple[dt.date, Levels]], field: str, month: str) -> Any:
    """The minimum wage of each row's area in force in the row's ``month``: a CASE over the
    periods (the month before the next period's first month), each the CASE over its levels.
    Rows before the first period take the first period's (the rule never reads them)."""
    whens = [
        When(**{f"{month}__lt": nxt}, then=minimum_case(levels, field))
        for (_start, levels), (nxt, _) in pairwise(periods)
    ]
    last = minimum_case(periods[-1][1], field)
    return Case(*whens, default=last, output_field=MONEY) if whens else last


def below_minimum(c: Context, rule: WageRule) -> list[Finding]:
    """Paid less than the local monthly minimum in force in the month worked (on its first day),
    pro rata of the days attended over ``threshold`` (the days of a full month, 21.75). One pass:
    each worker-month's minimum is a CASE over the standard's periods within the look-back
    window (usually one, two when it straddles an adjustment), each a CASE over the levels."""
    full = rule.threshold or Decimal("21.75")
    periods = minimum_periods(c.first_month)
    if not any(levels for _start, levels in periods):
        return []
    floor = ExpressionWrapper(
        F("minimum")
        * Least(Coalesce(F("days"), Value(full), output_field=MONEY), Value(full))
        / Value(full),
        output_field=MONEY,
    )
    # The minimum depends on grouped columns only (the project's area, the month), so it is the
    # same for every row of a group; taken as the group's Max it is an aggregate, not a grouped
    # expression. Grouped, its CASE's parameters would be bound twice (SELECT and GROUP BY) with
    # server-side binding, and PostgreSQL refuses a GROUP BY that does not match the SELECT.
    hits = list(
        _worker_months(c, days=True)
        .annotate(minimum=Max(minimum_by_month(periods, "project__area_path", "month")))
        .alias(floor=floor)
        .filter(total__lt=F("floor"))
    )

    def make(
        key: tuple[int, dt.date], rows: list[dict[str, Any]], names: dict[int, str]
    ) -> Finding:
        return Finding(
            key[0],
            rule.code,
            key[1],
            rule.severity,
            f"{ym(key[1])} 有 {len(rows)} 人实发工资低于当月执行的最低工资标准"
            f"（月 {_money(rows[0]['minimum'])} 元，按出勤折算）",
            {
                "month": ym(key[1]),
                "workers": len(rows),
                "minimum": _q(rows[0]["minimum"]),
                "lowest": _q(min(r["total"] for r in rows)),
                "names": _named(rows, names),
            },
        )

    return _per_project_month(hits, make)


def proxy(c: Context, rule: WageRule) -> list[Finding]:
    """One worker paid more than ``threshold`` yuan in a month: wages paid to a gang boss."""
    rows = _worker_months(c).filter(total__gt=rule.threshold)

    def make(
        key: tuple[int, dt.date], rows: list[dict[str, Any]], names: dict[int, str]
    ) -> Finding:
        top = max(r["total"] for r in rows)
        return Finding(
            key[0],
            rule.code,
            key[1],
            rule.severity,
            f"{ym(key[1])} 有 {len(rows)} 人单月实发超过 {_money(rule.threshold)} 元，"
            f"最高 {_money(top)} 元",
            {
                "month": ym(key[1]),
                "workers": len(rows),
                "highest": _q(top),
                "names": _named(rows, names),
            },
        )

    return _per_project_month(rows, make)


def _sum_per_project(c: Context, model: Any) -> dict[int, Decimal]:
    """``amount`` summed per project under check, in one grouped pass."""
    rows = c.on(model.objects.all()).values("project_id").annotate(s=Sum("amount")).order_by()
    return {r["project_id"]: r["s"] for r in rows}


def balance(c: Context, rule: WageRule) -> list[Finding]:
    """The account's balance (labour-cost deposits less payments) below ``threshold`` × the last
    month's payroll (the estimate of next month's). One grouped pass over the payments (per
    project and month: the total paid and the last month's payroll) and one over the deposits."""
    paid: dict[int, Decimal] = defaultdict(Decimal)
    last: dict[int, tuple[dt.date, Decimal]] = {}
    months = (
        c.on(BankPayment.objects.all())
        .values("project_id", "month")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    for r in months:
        pid, s = r["project_id"], r["s"] or Decimal(0)
        paid[pid] += s
        if pid not in last or r["month"] > last[pid][0]:
            last[pid] = (r["month"], s)
    deposited = _sum_per_project(c, LabourDeposit)
    out = []
    with localcontext(prec=60):  # exact, as the database's numeric
        for pid in sorted(last):
            payroll = last[pid][1]
            left = (deposited.get(pid) or Decimal(0)) - paid[pid]
            if payroll > 0 and left < payroll * rule.threshold:
                out.append(
                    Finding(
                        pid,
                        rule.code,
                        c.this_month,
                        rule.severity,
                        f"专户余额 {_money(left)} 元，不足下月工资（按上月 {_money(payroll)} 元估算）",
                        {"balance": _q(left), "payroll": _q(payroll)},
                    )
                )
    return out


def labour_share(c: Context, rule: WageRule) -> list[Finding]:
    """Labour cost received below contract value × labour share × progress × ``threshold`` %.
    One pass over the progress reports (each project's latest, by a window), one grouped pass
    over the deposits."""
    latest = (
        c.on(Progress.objects.all())
        .annotate(last=Window(Max("month"), partition_by=[F("project_id")]))
        .filter(month=F("last"))
        .values_list("project_id", "percent")
    )
    done = dict(latest)
    received = _sum_per_project(c, LabourDeposit)
    out = []
    with localcontext(prec=60):
        for pid, value, share in c.projects_qs.order_by("pk").values_list(
            "pk", "contract_value", "labour_share"
        ):
            percent = done.get(pid)
            if percent is None or percent <= 0:
                continue
            due = value * share * percent / Decimal(10000)
            got = received.get(pid) or Decimal(0)
            if got < due * rule.threshold / Decimal(100):
                out.append(
                    Finding(
                        pid,
                        rule.code,
                        c.this_month,
                        rule.severity,
                        f"工程进度 {percent}%，应拨人工费 {_money(due)} 元，"
                        f"专户实收 {_money(got)} 元",
                        {"progress": str(percent), "due": _q(due), "received": _q(got)},
                    )
                )
    return out


def _missing(c: Context, rule: WageRule, missing: Q, what: str) -> list[Finding]:
    """Projects started more than ``threshold`` days ago and still missing something."""
    started = c.today - dt.timedelta(days=int(rule.threshold))
    rows = c.projects_qs.filter(missing, start_on__lte=started).values("id", "start_on")
    return [
        Finding(
            r["id"],
            rule.code,
            c.this_month,
            rule.severity,
            f"{r['start_on']} 开工，至今{what}",
            {"start_on": str(r["start_on"])},
        )
        for r in rows
    ]


def account(c: Context, rule: WageRule) -> list[Finding]:
    has = WageAccount.objects.filter(project_id=OuterRef("pk"))
    return _missing(c, rule, ~Q(Exists(has)), "未开设农民工工资专用账户")


def deposit(c: Context, rule: WageRule) -> list[Finding]:
    valid = WageDeposit.objects.filter(project_id=OuterRef("pk")).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=c.today)
    )
    return _missing(c, rule, ~Q(Exists(valid)), "无有效的工资保证金或银行保函")


def notice(c: Context, rule: WageRule) -> list[Finding]:
    return _missing(c, rule, Q(notice_board__isnull=True), "未上传维权信息告示牌照片")


def complaint(c: Context, rule: WageRule) -> list[Finding]:
    """At least ``threshold`` open matters of the wage category linked to the project."""
    rows = (
        c.on(ProjectComplaint.objects.exclude(matter__status__in=MATTER_DONE))
        .values("project_id")
        .annotate(n=Count("id"))
        .filter(n__gte=max(int(rule.threshold), 1))
    )
    return [
        Finding(
            r["project_id"],
            rule.code,
            c.this_month,
            rule.severity,
            f"有 {r['n']} 件欠薪投诉尚未办结",
            {"open": r["n"]},
        )
        for r in rows
    ]


CHECKS: dict[str, Callable[[Context, WageRule], list[Finding]]] = {
    RuleCode.NO_PAYROLL: no_payroll,
    RuleCode.UNPAID: unpaid,
    RuleCode.BELOW_MINIMUM: below_minimum,
    RuleCode.PROXY: proxy,
    RuleCode.BALANCE: balance,
    RuleCode.LABOUR_SHARE: labour_share,
    RuleCode.ACCOUNT: account,
    RuleCode.DEPOSIT: deposit,
    RuleCode.NOTICE: notice,
    RuleCode.COMPLAINT: complaint,
}


def evaluate(
    *, today: dt.date, project_ids: list[int] | None = None, only: Iterable[str] | None = None
) -> list[Finding]:
    """Every enabled rule over the projects under construction (or ``project_ids``)."""
    projects = Project.objects.filter(status=ProjectStatus.BUILDING)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    rules = {r.code: r for r in WageRule.objects.filter(enabled=True)}
    c = Context(today=today, projects_qs=projects)
    found: list[Finding] = []
    for code, check in CHECKS.items():
        if code in rules and (only is None or code in only):
            found.extend(check(c, rules[code]))
    return found
