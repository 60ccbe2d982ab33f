"""Every read of the wages module, scoped: ``visible_to`` on the area path (projects, warnings,
interviews) or city-wide to those who may view (firms, rules, the blacklist)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext

from zhili.core.privacy import mask
from zhili.core.scoping import one_visible
from zhili.wages.models import (
    Attendance,
    BankPayment,
    BlacklistEntry,
    Firm,
    ImportBatch,
    Interview,
    LabourDeposit,
    MatchedBy,
    MinimumWage,
    PayLine,
    Project,
    ProjectComplaint,
    RosterEntry,
    Severity,
    WageDeposit,
    WageRule,
    Warning,
    WarningStatus,
)


def _area_filter(qs: QuerySet, code: str, field: str = "area_path") -> QuerySet:
    """Under the area ``code`` (a district or street code), whatever the depth."""
    code = (code or "").strip()
    if not code.isdigit():
        return qs
    return qs.filter(**{f"{field}__contains": f"/{code}/"})


def project_list(user: Any, *, q: str = "", area: str = "") -> QuerySet[Project]:
    qs = Project.objects.visible_to(user).select_related("area", "builder", "contractor")
    if q.strip():
        qs = qs.filter(Q(name__contains=q.strip()) | Q(number__contains=q.strip()))
    return _area_filter(qs, area)


def project_get(user: Any, pk: int, action: str = "view") -> Project:
    qs = (
        Project.objects.visible_to(user, action)
        .select_related("area", "builder", "contractor", "notice_board")
        .filter(pk=pk)
    )
    return one_visible(qs, noun=gettext("在建项目"))


def project_deposits(project: Project) -> list[WageDeposit]:
    return list(WageDeposit.objects.filter(project=project).order_by("id"))


def project_firms(project: Project) -> list[Firm]:
    return list(project.subcontractors.all())


@dataclass
class MonthRow:
    month: dt.date
    attendees: int
    paid_workers: int
    paid: Decimal
    payroll: Decimal

    @property
    def paid_rate(self) -> float:
        """Share of attendees paid through the account, 0–100."""
        return (
            round(100 * min(self.paid_workers, self.attendees) / self.attendees, 1)
            if (self.attendees)
            else 0.0
        )


def project_months(project: Project) -> list[MonthRow]:
    """Per month: attendees, workers paid and amounts paid through the account, pay table total."""
    att = dict(
        Attendance.objects.filter(project=project, days__gt=0)
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    pays: dict[Any, Any] = {
        r["month"]: r
        for r in BankPayment.objects.filter(project=project)
        .values("month")
        .annotate(workers=Count("worker_id", distinct=True), total=Sum("amount"))
    }
    table = dict(
        PayLine.objects.filter(project=project)
        .values("month")
        .annotate(s=Sum("amount"))
        .values_list("month", "s")
    )
    months = sorted(set(att) | set(pays) | set(table), reverse=True)
    return [
        MonthRow(
            m,
            att.get(m, 0),
            pays.get(m, {}).get("workers", 0),
            Decimal(pays.get(m, {}).get("total") or 0).quantize(Decimal("0.01")),
            Decimal(table.get(m) or 0).quantize(Decimal("0.01")),
        )
        for m in months
    ]


def project_balance(project: Project) -> dict[str, Decimal]:
    deposited = LabourDeposit.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or 0
    paid = BankPayment.objects.filter(project=project).aggregate(s=Sum("amount"))["s"] or 0
    q = Decimal("0.01")
    return {
        "deposited": Decimal(deposited).quantize(q),
        "paid": Decimal(paid).quantize(q),
        "balance": (Decimal(deposited) - Decimal(paid)).quantize(q),
    }


def roster_rows(project: Project, limit: int = 200) -> tuple[list[dict[str, str]], int]:
    """The roster as everyone sees it: masked."""
    qs = RosterEntry.objects.filter(project=project).select_related("worker", "employer")
    rows = [
        {
            "name": mask("name", r.worker.name),
            "id_number": mask("id_number", r.worker.id_number),
            "bank_account": mask("id_number", r.worker.bank_account),
            "employer": r.employer.name,
            "trade": r.trade,
            "entered_on": str(r.entered_on),
        }
        for r in qs.order_by("id")[:limit]
    ]
    return rows, qs.count()


def project_imports(project: Project) -> QuerySet[ImportBatch]:
    return project.imports.select_related("actor")[:20]


@dataclass
class ComplaintRow:
    number: str
    title: str
    status: str
    open: bool
    matched_by: str


def project_complaints(user: Any, project: Project, limit: int = 50) -> list[ComplaintRow]:
    """The wage complaints linked to the project that the user may open (matters' own scoping),
    open ones first, with how each was linked."""
    from zhili.matters.selectors import matter_visible
    from zhili.wages.rules import MATTER_DONE

    links = dict(
        ProjectComplaint.objects.filter(project=project).values_list("matter_id", "matched_by")
    )
    labels = dict(MatchedBy.choices)
    rows = [
        ComplaintRow(
            m.number,
            m.title,
            m.get_status_display(),
            m.status not in MATTER_DONE,
            str(labels.get(links[m.pk], "")),
        )
        for m in matter_visible(user).filter(pk__in=list(links)).order_by("-id")[:limit]
    ]
    return sorted(rows, key=lambda r: not r.open)


def project_warnings(user: Any, project: Project) -> QuerySet[Warning]:
    return Warning.objects.visible_to(user).filter(project=project).order_by("-id")


@dataclass
class WarningFilters:
    status: str = ""
    severity: str = ""
    rule: str = ""
    area: str = ""


def warning_list(user: Any, f: WarningFilters) -> QuerySet[Warning]:
    qs = Warning.objects.visible_to(user).select_related(
        "project", "project__area", "assignee", "candidate__risk"
    )
    if f.status == "active":
        qs = qs.exclude(status=WarningStatus.CLOSED)
    elif f.status in WarningStatus.values:
        qs = qs.filter(status=f.status)
    if f.severity in Severity.values:
        qs = qs.filter(severity=f.severity)
    if f.rule:
        qs = qs.filter(rule=f.rule)
    return _area_filter(qs, f.area)


def warning_get(user: Any, pk: int) -> Warning:
    qs = Warning.objects.visible_to(user).select_related(
        "project", "project__area", "assignee", "candidate__risk"
    )
    return one_visible(qs.filter(pk=pk), noun=gettext("欠薪预警"))


def warning_events(warning: Warning) -> QuerySet[Any]:
    return warning.events.for_display()


def assignable(user: Any, warning: Warning) -> QuerySet[Any]:
    """Accounts the actor can see that hold the view right on the warning's place."""
    from zhili.core.scoping import holders

    return holders("wages.warning.view", warning.area_path)


def blacklist_list(
    user: Any, *, q: str = "", current: bool = True, today: dt.date | None = None
) -> QuerySet[BlacklistEntry]:
    qs = BlacklistEntry.objects.visible_to(user).select_related("firm", "area")
    if q.strip():
        qs = qs.filter(Q(firm__name__contains=q.strip()) | Q(firm__credit_code=q.strip().upper()))
    if current:
        today = today or dt.date.today()
        qs = qs.filter(removed_on__isnull=True, expires_on__gt=today)
    return qs


def blacklist_get(user: Any, pk: int) -> BlacklistEntry:
    return one_visible(
        BlacklistEntry.objects.visible_to(user).filter(pk=pk), noun=gettext("失信名单")
    )


def interview_list(user: Any) -> QuerySet[Interview]:
    return Interview.objects.visible_to(user).select_related("area", "firm", "project", "actor")


def firm_list(user: Any) -> QuerySet[Firm]:
    return Firm.objects.visible_to(user)


def rule_list(user: Any) -> QuerySet[WageRule]:
    return WageRule.objects.visible_to(user)


def rule_get(user: Any, code: str) -> WageRule:
    return one_visible(
        WageRule.objects.visible_to(user).filter(code=code), noun=gettext("预警规则")
    )


@dataclass
class MinimumRow:
    row: MinimumWage
    area_name: str
    in_force: bool  # the row the below-minimum rule uses today for its area


def minimum_wage_list(user: Any, *, today: dt.date | None = None) -> list[MinimumRow]:
    """Every row of the local minimum wage with its area's name, the rows in force marked."""
    from zhili.areas.models import Area

    today = today or dt.date.today()
    rows = list(MinimumWage.objects.visible_to(user).order_by("area_path", "-effective_from"))
    names = dict(
        Area.objects.filter(path__in={r.area_path for r in rows}).values_list("path", "name")
    )
    current: dict[str, int] = {}
    for r in rows:  # newest first within each area
        if r.effective_from <= today and r.area_path not in current:
            current[r.area_path] = r.pk
    return [
        MinimumRow(r, names.get(r.area_path, r.area_code), current.get(r.area_path) == r.pk)
        for r in rows
    ]


def minimum_wage_history(user: Any) -> QuerySet[Any]:
    from zhili.core.selectors import audit_search

    return audit_search(user, object_type="wages.minimumwage").order_by("-id")


@dataclass
class DistrictRow:
    path: str
    name: str
    projects: int
    red: int
    yellow: int
    closed: int
    total: int

    @property
    def closed_rate(self) -> float:
        """Share of this district's warnings closed, 0–100."""
        return round(100 * self.closed / self.total, 1) if self.total else 0.0


DISTRICT_PATH_LENGTH = len("500000/500103/")


def dashboard(user: Any) -> list[DistrictRow]:
    """Per district: projects under construction, open red and yellow warnings, closed ones."""
    from zhili.areas.models import Area

    w = (
        Warning.objects.visible_to(user)
        .annotate(d=Substr("area_path", 1, DISTRICT_PATH_LENGTH))
        .values("d")
        .annotate(
            red=Count("id", filter=Q(severity=Severity.RED) & ~Q(status=WarningStatus.CLOSED)),
            yellow=Count(
                "id", filter=Q(severity=Severity.YELLOW) & ~Q(status=WarningStatus.CLOSED)
            ),
            closed=Count("id", filter=Q(status=WarningStatus.CLOSED)),
            total=Count("id"),
        )
    )
    p = dict(
        Project.objects.visible_to(user)
        .filter(status="building")
        .annotate(d=Substr("area_path", 1, DISTRICT_PATH_LENGTH))
        .values("d")
        .annotate(n=Count("id"))
        .values_list("d", "n")
    )
    by_path: dict[str, Any] = {r["d"]: r for r in w}
    paths = sorted(set(by_path) | set(p))
    names = dict(Area.objects.filter(path__in=paths).values_list("path", "name"))
    rows = [
        DistrictRow(
            path,
            names.get(path, path),
            p.get(path, 0),
            by_path.get(path, {}).get("red", 0),
            by_path.get(path, {}).get("yellow", 0),
            by_path.get(path, {}).get("closed", 0),
            by_path.get(path, {}).get("total", 0),
        )
        for path in paths
    ]
    return sorted(rows, key=lambda r: (-r.red, -r.yellow, r.path))
