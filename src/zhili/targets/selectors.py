"""Reads of target management, every one scoped to the acting user.

The 打表 table is built from four flat queries (assignments, tasks, milestones, reports) whatever its
size, and pivoted in Python: 108 tasks × 41 assignees is about 20,000 report rows, read as tuples.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.scoping import can, path_prefix_q
from zhili.targets.holders import holding, table_default_by
from zhili.targets.models import (
    Assignment,
    AssignmentKind,
    Evidence,
    Incident,
    IncidentStatus,
    Method,
    Milestone,
    NegativeItem,
    Plan,
    PlanStatus,
    Reminder,
    Report,
    ReportEvent,
    ReportStatus,
    Score,
    Task,
)
from zhili.targets.states import CellState, combine, milestone_state
from zhili.targets.workflow import REPORTS

BY = ("unit", "district", "period")


# Plans ---------------------------------------------------------------------------------------


def plan_list(user: Any) -> QuerySet[Plan]:
    return Plan.objects.visible_to(user).order_by("-year")


def plan_get(user: Any, pk: int) -> Plan:
    plan = plan_list(user).select_related("area").filter(pk=pk).first()
    if plan is None:
        raise NotFound(gettext("考核方案不存在"), code="plan_not_found")
    return plan


def plan_latest(user: Any) -> Plan | None:
    return plan_list(user).first()


def task_get(user: Any, plan: Plan, pk: int) -> Task:
    task = Task.objects.visible_to(user).filter(plan=plan, pk=pk).first()
    if task is None:
        raise NotFound(gettext("目标任务不存在"), code="task_not_found")
    return task


def negative_items(user: Any, plan: Plan) -> QuerySet[NegativeItem]:
    return NegativeItem.objects.visible_to(user).filter(plan=plan).order_by("id")


def negative_item_get(user: Any, plan: Plan, pk: int) -> NegativeItem:
    item = negative_items(user, plan).filter(pk=pk).first()
    if item is None:
        raise NotFound(gettext("负面清单事项不存在"))
    return item


# The table -----------------------------------------------------------------------------------


AUTONOMOUS = re.compile(r"^(.{2})(?:[\u4e00-\u9fff]{1,3}族)+自治县$")


def short_name(name: str) -> str:
    """A column heading: 秀山土家族苗族自治县 → 秀山县; a unit without its bracketed alias."""
    name = re.sub(r"（.*?）", "", name)
    m = AUTONOMOUS.match(name)
    return f"{m.group(1)}县" if m else name


@dataclass
class Column:
    key: Any
    label: str
    sub: bool = False  # a street's share, shown under its district
    full: str = ""
    done: int = 0
    total: int = 0
    overdue: int = 0


@dataclass
class Cell:
    state: CellState
    done: int
    total: int
    awaiting: int
    link: str
    dim: bool = False

    @property
    def symbol(self) -> str:
        from zhili.targets.states import SYMBOL

        return str(SYMBOL[self.state])


@dataclass
class Row:
    task: Any
    cells: list[Cell | None]
    done: int = 0
    total: int = 0
    state: CellState | None = None


@dataclass
class Table:
    plan: Plan
    by: str
    on: dt.date
    columns: list[Column]
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)
    district: Area | None = None


@dataclass(frozen=True)
class TableFilters:
    by: str = ""  # empty: where the user's holding puts it (``holders.table_default_by``)
    method: str = ""
    unit: int | None = None
    district: str = ""
    state: str = ""
    on: dt.date | None = None


def _district(code: str) -> Area:
    area = Area.objects.filter(code=code, level=Level.DISTRICT).first()
    if area is None:
        raise ValidationFailed(
            gettext("区县 %(code)s 不存在") % {"code": code}, code="invalid_district"
        )
    return area


def table_build(user: Any, plan: Plan, filters: TableFilters) -> Table:
    """The 打表 matrix: tasks × units, × districts (and their streets) or × periods."""
    if not filters.by:
        filters = replace(filters, by=table_default_by(user, plan))
    if filters.by not in BY:
        raise ValidationFailed(gettext("by 须为 unit、district 或 period"), code="invalid_by")
    if filters.state and filters.state not in CellState.values:
        raise ValidationFailed(gettext("未知的状态"), code="invalid_state")
    method = {str(label): value for value, label in Method.choices}.get(
        filters.method, filters.method
    )
    if method and method not in Method.values:
        raise ValidationFailed(
            gettext("治理方式须为 政治、自治、法治、德治、智治、综治 之一"), code="invalid_method"
        )
    on = filters.on or plan.clock()
    district = _district(filters.district) if filters.district else None
    qs = Assignment.objects.visible_to(user).filter(plan=plan)
    if filters.unit:
        qs = qs.filter(unit_id=filters.unit)
    if district is not None:
        qs = qs.filter(path_prefix_q("area_path", district.path), unit__isnull=True)
    if filters.by == "unit":
        qs = qs.filter(unit__isnull=False)
    elif filters.by == "district":
        qs = qs.filter(unit__isnull=True)
    assignments = list(
        qs.values_list(
            "id", "task_id", "kind", "unit_id", "unit__name", "area_id", "area__name"
        ).order_by("area_path", "unit_id", "id")
    )
    # Streets' shares show under their district when one district is in view (its own officer,
    # or a district filter); otherwise, and in the period view, the district's row stands for them.
    kinds = {a[2] for a in assignments}
    districts_seen = {a[5] for a in assignments if a[2] == AssignmentKind.DISTRICT}
    show_streets = filters.by == "district" and len(districts_seen) <= 1
    if not show_streets and kinds - {AssignmentKind.STREET}:
        assignments = [a for a in assignments if a[2] != AssignmentKind.STREET]
    by_id = {a[0]: a for a in assignments}
    tasks = {
        t.pk: t
        for t in Task.objects.filter(plan=plan, pk__in={a[1] for a in assignments})
        .filter(Q(method=method) if method else Q())
        .only("id", "number", "title", "method", "weight", "seq")
    }
    milestones = {
        m_id: (due, label)
        for m_id, due, label in Milestone.objects.filter(task__plan=plan).values_list(
            "id", "due", "label"
        )
    }
    report_qs = Report.objects.visible_to(user).filter(plan=plan)
    if filters.unit:
        report_qs = report_qs.filter(unit_id=filters.unit)
    if district is not None:
        report_qs = report_qs.filter(path_prefix_q("area_path", district.path))
    # Column key and cell link per assignment.
    col_of: dict[int, Any] = {}
    columns: dict[Any, Column] = {}
    for a_id, _task_id, kind, unit_id, unit_name, area_id, area_name in assignments:
        if filters.by == "period":
            continue
        col_key = ("u", unit_id) if unit_id else ("a", area_id)
        col_of[a_id] = col_key
        if col_key not in columns:
            columns[col_key] = Column(
                key=col_key,
                label=short_name(unit_name or area_name),
                sub=kind == AssignmentKind.STREET,
                full=unit_name or area_name,
            )
    cells: dict[tuple[int, Any], dict[str, Any]] = {}
    risk = plan.risk_days
    for a_id, m_id, status in report_qs.values_list("assignment_id", "milestone_id", "status"):
        a = by_id.get(a_id)
        if a is None or a[1] not in tasks:
            continue
        due, _label = milestones[m_id]
        key: Any
        if filters.by == "period":
            key = f"{due:%Y-%m}"
            if key not in columns:
                columns[key] = Column(
                    key=key,
                    label=gettext("%(month)s月") % {"month": due.month}
                    if due.year == plan.year
                    else f"{due:%Y-%m}",
                )
            link = f"p/{a[1]}/{key}/"
        else:
            key = col_of[a_id]
            link = f"c/{a_id}/"
        cell = cells.setdefault((a[1], key), {"states": [], "done": 0, "awaiting": 0, "link": link})
        state = milestone_state(due=due, status=status, on=on, risk_days=risk)
        cell["states"].append(state)
        cell["done"] += state == CellState.DONE
        cell["awaiting"] += status == ReportStatus.SUBMITTED
    if filters.by == "period":
        columns = dict(sorted(columns.items()))
    return _assemble(plan, filters, on, district, tasks, columns, cells)


def _assemble(
    plan: Plan,
    filters: TableFilters,
    on: dt.date,
    district: Area | None,
    tasks: dict[int, Any],
    columns: dict[Any, Column],
    cells: dict[tuple[int, Any], dict[str, Any]],
) -> Table:
    rows: list[Row] = []
    counts: Counter[str] = Counter()
    keys = list(columns)
    for task in sorted(tasks.values(), key=lambda t: (t.seq, t.pk)):
        row = Row(task=task, cells=[])
        states: list[CellState] = []
        for key in keys:
            raw = cells.get((task.pk, key))
            if raw is None:
                row.cells.append(None)
                continue
            state = combine(raw["states"])
            assert state is not None
            cell = Cell(
                state=state,
                done=raw["done"],
                total=len(raw["states"]),
                awaiting=raw["awaiting"],
                link=raw["link"],
                dim=bool(filters.state) and state != filters.state,
            )
            row.cells.append(cell)
            row.done += cell.done
            row.total += cell.total
            states.extend(raw["states"])
        if not row.total:
            continue
        if filters.state and not any(c and c.state == filters.state for c in row.cells):
            continue
        row.state = combine(states)
        rows.append(row)
    # Column totals over the rows kept; drop columns left empty by the filters.
    used = [False] * len(keys)
    for row in rows:
        for i, got in enumerate(row.cells):
            if got is None:
                continue
            cell = got
            used[i] = True
            col = columns[keys[i]]
            col.done += cell.done
            col.total += cell.total
            col.overdue += cell.state == CellState.OVERDUE
            counts[cell.state.value] += 1
    keep = [i for i, u in enumerate(used) if u]
    for kept in rows:
        kept.cells = [kept.cells[i] for i in keep]
    return Table(
        plan=plan,
        by=filters.by,
        on=on,
        columns=[columns[keys[i]] for i in keep],
        rows=rows,
        counts=dict(counts),
        district=district,
    )


# A cell: its history and evidence ------------------------------------------------------------


# What a cell's report reads (its buttons included: the review right is a level up).
CELL_RELATED = (
    "plan",
    "plan__area",
    "milestone",
    "assignment",
    "assignment__unit",
    "assignment__area",
    "assignment__parent",
)


def _events_prefetch() -> Prefetch:
    return Prefetch(
        "events",
        queryset=ReportEvent.objects.select_related("actor")
        .order_by("id")
        .prefetch_related("evidence"),
    )


def assignment_get(user: Any, plan: Plan, pk: int) -> Assignment:
    found = (
        Assignment.objects.visible_to(user)
        .filter(plan=plan, pk=pk)
        .select_related("task", "unit", "area", "parent", "parent__area")
        .first()
    )
    if found is None:
        raise NotFound(gettext("该任务不存在，或不由您的单位承担"), code="not_holder")
    return found


def cell_reports(user: Any, assignment: Assignment) -> list[Report]:
    """The reports of one cell (one per milestone), with their events and evidence."""
    return list(
        Report.objects.visible_to(user)
        .filter(assignment=assignment)
        .select_related(*CELL_RELATED)
        .prefetch_related(_events_prefetch())
        .order_by("milestone__due", "milestone__seq")
    )


def period_reports(user: Any, plan: Plan, task: Task, period: str) -> list[Report]:
    try:
        year, month = (int(p) for p in period.split("-"))
        start = dt.date(year, month, 1)
    except ValueError:
        raise NotFound(gettext("期间无效")) from None
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return list(
        Report.objects.visible_to(user)
        .filter(plan=plan, milestone__task=task, milestone__due__gte=start, milestone__due__lt=end)
        .select_related(*CELL_RELATED)
        .prefetch_related(_events_prefetch())
        .order_by("milestone__due", "area_path", "assignment_id")
    )


def report_get(user: Any, pk: int) -> Report:
    found = (
        Report.objects.visible_to(user)
        .filter(pk=pk)
        .select_related(
            "plan",
            "plan__area",
            "milestone",
            "milestone__task",
            "assignment",
            "assignment__unit",
            "assignment__area",
            "assignment__parent",
        )
        .prefetch_related(_events_prefetch())
        .first()
    )
    if found is None:
        raise NotFound(gettext("该任务节点不存在，或不由您的单位承担"), code="not_holder")
    return found


def report_actions(user: Any, reports: list[Report]) -> dict[int, list[str]]:
    """What the user may do now on each report (its buttons), from the rules table that
    ``Workflow.transition`` checks again (no query: the reports come with their plan, assignment,
    parent and events)."""
    return {r.pk: REPORTS.allowed_actions(user, r) for r in reports}


def street_choices(user: Any, assignment: Assignment) -> list[Area]:
    """Streets a district may still hand a share of this task to (empty when it may not)."""
    if assignment.kind != AssignmentKind.DISTRICT or not can(
        user, "add", Assignment, assignment.area_path
    ):
        return []
    held = set(assignment.shares.values_list("area_id", flat=True))
    return [
        a
        for a in Area.objects.current()
        .filter(parent_id=assignment.area_id, level=Level.STREET)
        .order_by("code")
        if a.pk not in held
    ]


def shares_of(user: Any, assignment: Assignment) -> list[Assignment]:
    return list(
        Assignment.objects.visible_to(user)
        .filter(parent=assignment)
        .select_related("area")
        .order_by("area__code")
    )


def task_assignments(user: Any, task: Task) -> list[Assignment]:
    return list(
        Assignment.objects.visible_to(user)
        .filter(task=task)
        .select_related("unit", "area", "parent")
        .order_by("kind", "area_path", "id")
    )


def evidence_get(user: Any, sha256: str) -> Evidence:
    """A file, when it belongs to a report or an incident the user may see."""
    evidence = Evidence.objects.filter(sha256=sha256).first()
    if evidence is not None:
        reports = Report.objects.visible_to(user).filter(events__evidence=evidence)
        incidents = Incident.objects.visible_to(user).filter(evidence=evidence)
        if reports.exists() or incidents.exists():
            return evidence
    raise NotFound(gettext("文件不存在或无权查看"))


# Ranking, warnings, negative list ------------------------------------------------------------


@dataclass
class Ranked:
    rank: int
    score: Score


def ranking(user: Any, plan: Plan, by: str) -> list[Ranked]:
    if by not in ("unit", "district"):
        raise ValidationFailed(gettext("by 须为 unit 或 district"), code="invalid_by")
    qs = (
        Score.objects.visible_to(user)
        .filter(plan=plan, unit__isnull=(by == "district"))
        .select_related("area")
    )
    out: list[Ranked] = []
    previous: tuple[bool, Any] | None = None
    for i, score in enumerate(qs.order_by("vetoed", "-total", "name", "id"), start=1):
        mark = (score.vetoed, score.total)
        rank = out[-1].rank if previous == mark and out else i
        out.append(Ranked(rank=rank, score=score))
        previous = mark
    return out


def score_get(user: Any, plan: Plan, pk: int) -> Score:
    found = Score.objects.visible_to(user).filter(plan=plan, pk=pk).first()
    if found is None:
        raise NotFound(gettext("得分不存在或无权查看"))
    return found


@dataclass
class LateItem:
    report: Report
    state: CellState
    days: int  # days overdue (positive) or days left (zero or negative)
    reminders: int


def late_list(
    user: Any, plan: Plan, *, state: str = "", on: dt.date | None = None
) -> list[LateItem]:
    """Overdue and at-risk milestones, most overdue first: what is late and by whom."""
    on = on or plan.clock()
    horizon = on + dt.timedelta(days=plan.risk_days)
    qs = (
        Report.objects.visible_to(user)
        .filter(plan=plan, milestone__due__lte=horizon)
        .exclude(status=ReportStatus.ACCEPTED)
        .select_related(
            "milestone", "milestone__task", "assignment", "assignment__unit", "assignment__area"
        )
        .annotate(reminder_count=Count("reminders"))
        .order_by("milestone__due", "milestone__task__seq", "area_path", "id")
    )
    if state == CellState.OVERDUE:
        qs = qs.filter(milestone__due__lt=on)
    elif state == CellState.AT_RISK:
        qs = qs.filter(milestone__due__gte=on)
    out = []
    for r in qs:
        overdue = on > r.milestone.due
        out.append(
            LateItem(
                report=r,
                state=CellState.OVERDUE if overdue else CellState.AT_RISK,
                days=(on - r.milestone.due).days,
                reminders=getattr(r, "reminder_count", 0),
            )
        )
    return out


def overdue_unsubmitted(user: Any) -> tuple[int, list[Plan]]:
    """The reports the user may submit, of the active plans, past their milestone and not submitted
    (pending or returned), each plan on its own clock (``Plan.clock``: a plan followed as of a
    day counts as of that day, as its warnings page does); and the plans that hold them."""
    n, plans = 0, []
    for plan in Plan.objects.visible_to(user).filter(status=PlanStatus.ACTIVE).order_by("-id"):
        found = (
            Report.objects.visible_to(user, "submit")
            .filter(plan=plan, status__in=[ReportStatus.PENDING, ReportStatus.RETURNED])
            .filter(milestone__due__lt=plan.clock())
            .count()
        )
        if found:
            n += found
            plans.append(plan)
    return n, plans


def late_by_assignee(items: list[LateItem]) -> list[dict[str, Any]]:
    """Who is late: per assignee, how many milestones are overdue and at risk."""
    agg: dict[str, dict[str, Any]] = defaultdict(lambda: {"overdue": 0, "at_risk": 0, "worst": 0})
    for it in items:
        a = agg[it.report.assignment.assignee_name]
        a["name"] = it.report.assignment.assignee_name
        a[it.state.value] += 1
        a["worst"] = max(a["worst"], it.days)
    return sorted(agg.values(), key=lambda a: (-a["overdue"], -a["worst"], a["name"]))


def incident_list(user: Any, plan: Plan) -> QuerySet[Incident]:
    return (
        Incident.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("item", "unit", "area", "recorded_by")
        .prefetch_related("evidence")
    )


def incident_get(user: Any, plan: Plan, pk: int) -> Incident:
    found = incident_list(user, plan).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("负面清单事件不存在或无权查看"))
    return found


def my_reminders(user: Any, plan: Plan, limit: int = 20) -> list[Reminder]:
    """Warnings about what the user holds (``holders.holding``): the same rule that chose whom
    ``reminders_send`` warned, and where the table opens (``holders.table_default_by``)."""
    return list(
        _my_reminders(user, plan)
        .select_related(
            "report", "report__milestone", "report__milestone__task", "report__assignment"
        )
        .order_by("-id")[:limit]
    )


def latest_reminders(user: Any, plan: Plan, shown: int = 5) -> tuple[list[Reminder], int]:
    """The latest ``shown`` of ``my_reminders`` and how many there are in all (counted only
    when there may be more than those shown)."""
    latest = my_reminders(user, plan, limit=shown)
    total = len(latest) if len(latest) < shown else _my_reminders(user, plan).count()
    return latest, total


def _my_reminders(user: Any, plan: Plan) -> QuerySet[Reminder]:
    held = holding(user)
    if not held:
        return Reminder.objects.none()
    return Reminder.objects.filter(held.q("report__"), report__plan=plan).exclude(
        report__status=ReportStatus.ACCEPTED
    )


def plan_units(user: Any, plan: Plan) -> list[tuple[int, str]]:
    """Units holding tasks of the plan that the user may see (for filters)."""
    rows = (
        Assignment.objects.visible_to(user)
        .filter(plan=plan, unit__isnull=False)
        .values_list("unit_id", "unit__name")
        .distinct()
        .order_by("unit_id")
    )
    return list(rows)


def plan_districts(user: Any, plan: Plan) -> list[tuple[str, str]]:
    rows = (
        Assignment.objects.visible_to(user)
        .filter(plan=plan, kind=AssignmentKind.DISTRICT)
        .values_list("area__code", "area__name")
        .distinct()
        .order_by("area__code")
    )
    return list(rows)


def assignee_choices(plan: Plan) -> tuple[list[Any], list[Area]]:
    """Units and districts a task may be assigned to or an incident recorded against: the city's
    active units and those already holding tasks; the current districts."""
    from zhili.org.models import Unit

    holders = Assignment.objects.filter(plan=plan, unit__isnull=False).values("unit_id")
    units = list(
        Unit.objects.filter(Q(area=plan.area, is_active=True) | Q(pk__in=holders)).order_by("id")
    )
    districts = list(
        Area.objects.current().filter(level=Level.DISTRICT, parent=plan.area).order_by("code")
    )
    return units, districts


def active_incident_count(plan: Plan) -> int:
    return Incident.objects.filter(plan=plan, status=IncidentStatus.ACTIVE).count()


def review_queue(user: Any) -> list[Report]:
    """待审核: submitted reports this user may accept or return now (the rules table's answer:
    the review right over the level above the assignee, not one's own submission), oldest
    first."""
    submitted = (
        Report.objects.visible_to(user)
        .filter(status=ReportStatus.SUBMITTED, plan__status=PlanStatus.ACTIVE)
        .select_related(
            "plan",
            "plan__area",
            "milestone",
            "milestone__task",
            "assignment",
            "assignment__unit",
            "assignment__area",
            "assignment__parent",
        )
        .prefetch_related(_events_prefetch())
        .order_by("submitted_at", "pk")
    )
    return [r for r in submitted[:2000] if "accept" in REPORTS.allowed_actions(user, r)]
