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
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
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
    """In a month the account paid, the share of attendees it did not pay."""
    paid_worker = BankPayment.objects.filter(
        project_id=OuterRef("project_id"), month=OuterRef("month"), worker_id=OuterRef("worker_id")
    )
    any_paid = BankPayment.objects.filter(
        project_id=OuterRef("project_id"), month=OuterRef("month")
    )
    rows = (
        c.on(Attendance.objects.filter(days__gt=0, month__gte=c.first_month))
        .filter(Exists(any_paid))
        .alias(paid=Exists(paid_worker))
        .values("project_id", "month")
        .annotate(total=Count("id"), missing=Count("id", filter=Q(paid=False)))
        .filter(missing__gt=0)
    )
    out = []
    for r in rows:
        share = Decimal(r["missing"] * 100) / r["total"]
        if share <= rule.threshold:
            continue
        red = rule.red_above is not None and share > rule.red_above
        out.append(
            Finding(
                r["project_id"],
                rule.code,
                r["month"],
                Severity.RED if red else rule.severity,
                f"{ym(r['month'])} 出勤 {r['total']} 人，其中 {r['missing']} 人未发工资"
                f"（{share:.1f}%）",
                {
                    "month": ym(r["month"]),
                    "attendees": r["total"],
                    "unpaid": r["missing"],
                    "share": f"{share:.1f}",
                },
            )
        )
    return out


def minimum_wages(today: dt.date) -> list[tuple[str, Decimal]]:
    """(area path, monthly minimum) in force on ``today``, one per area (the latest)."""
    found: dict[str, Decimal] = {}
    for path, amount in (
        MinimumWage.objects.filter(effective_from__lte=today)
        .order_by("area_path", "effective_from")
        .values_list("area_path", "monthly")
    ):
        found[path] = amount
    return sorted(found.items())


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


def minimum_case(levels: list[tuple[str, Decimal]], field: str) -> Any:
    """The minimum wage of each row's area: the deepest level whose path is a prefix of it."""
    deepest_first = sorted(levels, key=lambda lv: -len(lv[0]))
    return Case(
        *[When(path_prefix_q(field, path), then=Value(amount)) for path, amount in deepest_first],
        default=Value(None),
        output_field=MONEY,
    )


def below_minimum(c: Context, rule: WageRule) -> list[Finding]:
    """Paid less than the local monthly minimum, pro rata of the days attended over ``threshold``
    (the days of a full month, 21.75). One pass: each project's minimum is a CASE over the levels."""
    full = rule.threshold or Decimal("21.75")
    levels = minimum_wages(c.today)
    if not levels:
        return []
    floor = ExpressionWrapper(
        F("minimum") * Least(Coalesce(F("days"), Value(full)), Value(full)) / Value(full),
        output_field=MONEY,
    )
    hits = list(
        _worker_months(c, days=True)
        .annotate(minimum=minimum_case(levels, "project__area_path"))
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
            f"{ym(key[1])} 有 {len(rows)} 人实发工资低于最低工资标准"
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


def _sum_of(model: Any, field: str = "amount") -> Any:
    return Coalesce(
        Subquery(
            model.objects.filter(project_id=OuterRef("pk"))
            .values("project_id")
            .annotate(s=Sum(field))
            .values("s")[:1],
            output_field=MONEY,
        ),
        Value(Decimal(0)),
        output_field=MONEY,
    )


def balance(c: Context, rule: WageRule) -> list[Finding]:
    """The account's balance (labour-cost deposits less payments) below ``threshold`` × the last
    month's payroll (the estimate of next month's)."""
    last_payroll = Subquery(
        BankPayment.objects.filter(project_id=OuterRef("pk"))
        .values("month")
        .annotate(s=Sum("amount"))
        .order_by("-month")
        .values("s")[:1],
        output_field=MONEY,
    )
    rows = (
        c.projects_qs.annotate(
            deposited=_sum_of(LabourDeposit), paid=_sum_of(BankPayment), payroll=last_payroll
        )
        .filter(payroll__gt=0)
        .annotate(balance=ExpressionWrapper(F("deposited") - F("paid"), output_field=MONEY))
        .filter(balance__lt=ExpressionWrapper(F("payroll") * rule.threshold, output_field=MONEY))
        .values("id", "balance", "payroll")
    )
    return [
        Finding(
            r["id"],
            rule.code,
            c.this_month,
            rule.severity,
            f"专户余额 {_money(r['balance'])} 元，不足下月工资（按上月 {_money(r['payroll'])} 元估算）",
            {"balance": _q(r["balance"]), "payroll": _q(r["payroll"])},
        )
        for r in rows
    ]


def labour_share(c: Context, rule: WageRule) -> list[Finding]:
    """Labour cost received below contract value × labour share × progress × ``threshold`` %."""
    progress = Subquery(
        Progress.objects.filter(project_id=OuterRef("pk")).order_by("-month").values("percent")[:1]
    )
    due = ExpressionWrapper(
        F("contract_value") * F("labour_share") * F("done") / Value(Decimal(10000)),
        output_field=MONEY,
    )
    rows = (
        c.projects_qs.annotate(done=progress, received=_sum_of(LabourDeposit))
        .filter(done__gt=0)
        .annotate(due=due)
        .filter(received__lt=F("due") * rule.threshold / Value(Decimal(100)))
        .values("id", "received", "due", "done")
    )
    return [
        Finding(
            r["id"],
            rule.code,
            c.this_month,
            rule.severity,
            f"工程进度 {r['done']}%，应拨人工费 {_money(r['due'])} 元，"
            f"专户实收 {_money(r['received'])} 元",
            {"progress": str(r["done"]), "due": _q(r["due"]), "received": _q(r["received"])},
        )
        for r in rows
    ]


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
