"""Scores: the scoring rule applied to an assignee's milestones and negative-list incidents.

For each task an assignee holds, only milestones that count on the plan's clock day are scored
(accepted ones, and those already past due). Per task, averaged over those milestones:

    completion = accepted / counted
    timeliness = accepted with the accepted version submitted by the due date / counted
    quality    = mean over counted of (accepted ? max(0, 1 − returns × return_penalty) : 0)
    item       = share_completion × completion + share_timeliness × timeliness
                 + share_quality × quality                                   (0 … 1)

    task points = 100 × weight / Σ weights of the tasks with counted milestones × item
    base        = Σ task points  (100 when nothing has fallen due yet)
    total       = max(0, base − Σ deductions of active incidents)
    vetoed      → total = min(total, veto_score), grade 一票否决

``score_compute`` is pure (tests compute cases by hand): it turns the tasks into weighted ``Item``s
and the incidents into deductions and vetoes, and hands them to ``sheet_score``, the one scoring
arithmetic (rescaling to 100, rounding, the veto cap, the grade, the explanation), which the
平安创建 sheets (``indicators.creation``) are scored by too. ``scores_recompute`` loads the facts
and writes ``Score`` rows, inside the caller's transaction, so a score never lags its inputs.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop

from zhili.targets.models import (
    Assignment,
    AssignmentKind,
    Effect,
    Incident,
    IncidentStatus,
    Plan,
    Report,
    ReportStatus,
    Score,
)

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
# An assignee: ("unit", unit id) or ("area", district id).
Key = tuple[str, int]


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rule:
    share_completion: Decimal = Decimal("0.60")
    share_timeliness: Decimal = Decimal("0.25")
    share_quality: Decimal = Decimal("0.15")
    return_penalty: Decimal = Decimal("0.25")
    veto_score: Decimal = ZERO
    grade_excellent: Decimal = Decimal(90)
    grade_good: Decimal = Decimal(80)
    grade_pass: Decimal = Decimal(60)

    @classmethod
    def of(cls, plan: Plan) -> Rule:
        return cls(
            share_completion=plan.share_completion,
            share_timeliness=plan.share_timeliness,
            share_quality=plan.share_quality,
            return_penalty=plan.return_penalty,
            veto_score=plan.veto_score,
            grade_excellent=plan.grade_excellent,
            grade_good=plan.grade_good,
            grade_pass=plan.grade_pass,
        )

    def policy(self) -> Policy:
        """A plan's terms for the core: full marks while nothing has fallen due."""
        return Policy(
            veto_score=self.veto_score,
            grade=self.grade,
            empty_points=HUNDRED,
            empty_kind="full",
            left_out=_not_due,
        )

    def grade(self, total: Decimal, vetoed: bool) -> str:
        if vetoed:
            return gettext_noop("一票否决")
        if total >= self.grade_excellent:
            return gettext_noop("优秀")
        if total >= self.grade_good:
            return gettext_noop("良好")
        if total >= self.grade_pass:
            return gettext_noop("合格")
        return gettext_noop("不合格")


@dataclass(frozen=True)
class MilestoneFact:
    due: dt.date
    status: str
    submitted_on: dt.date | None = None
    returns: int = 0


@dataclass
class TaskFact:
    number: str
    title: str
    weight: Decimal
    milestones: list[MilestoneFact] = field(default_factory=list)


@dataclass(frozen=True)
class IncidentFact:
    id: int
    number: str
    title: str
    effect: str
    points: Decimal
    occurred_on: dt.date


@dataclass
class Result:
    base: Decimal
    deductions: Decimal
    vetoed: bool
    total: Decimal
    grade: str
    counted: int
    explanation: list[dict[str, Any]]


# The scoring core --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One weighted line of a scoring sheet (a task of a plan, an item of a 平安创建 sheet).

    ``achieved`` is the share of its points earned (0 … 1), or None when it has nothing to score
    yet (a task without counted milestones, a creation item without data): it is then left out
    and the others are rescaled to 100. ``head`` and ``tail`` are its explanation fields, before
    and after the ``full``/``points``/``lost`` the core adds; ``count`` is what it adds to
    ``Result.counted``."""

    weight: Decimal
    achieved: Decimal | None
    head: dict[str, Any]
    tail: dict[str, Any] = field(default_factory=dict)
    count: int = 1


@dataclass(frozen=True)
class Mark:
    """A deduction (``points`` taken off) or a one-strike veto, with its explanation fields."""

    entry: dict[str, Any]
    points: Decimal = ZERO


@dataclass(frozen=True)
class Policy:
    """What differs between the sheets scored by the core.

    ``veto_score``: a veto caps the total at it; ``grade(total, vetoed)``: the result's label;
    ``empty_points``/``empty_kind``: the base and its explanation entry when no item has anything
    to score (a plan: 100, nothing has fallen due; a creation sheet: 0, no data at all);
    ``left_out``: the explanation entries of the items left out."""

    veto_score: Decimal
    grade: Callable[[Decimal, bool], str]
    empty_points: Decimal
    empty_kind: str
    left_out: Callable[[list[Item]], list[dict[str, Any]]]


def sheet_score(
    items: Iterable[Item],
    *,
    deductions: Iterable[Mark] = (),
    vetoes: Iterable[Mark] = (),
    policy: Policy,
) -> Result:
    """The one scoring arithmetic (pure): weighted items rescaled to 100 over those with
    something to score, each rounded to the cent; deductions down to 0; the first veto caps the
    total at ``policy.veto_score``. The explanation lists the scored items, the empty case, the
    items left out, the deductions and the vetoes, and its points add up to the total."""
    items = list(items)
    scored = [(i, i.achieved) for i in items if i.achieved is not None]
    left_out = [i for i in items if i.achieved is None]
    explanation: list[dict[str, Any]] = []
    total_weight = sum((i.weight for i, _ in scored), start=ZERO)
    base = ZERO
    for item, achieved in scored:
        full = HUNDRED * item.weight / total_weight
        points = q2(full * achieved)
        base += points
        explanation.append(
            {
                **item.head,
                "full": str(q2(full)),
                "points": str(points),
                "lost": str(q2(full) - points),
                **item.tail,
            }
        )
    if not scored:
        base = policy.empty_points
        explanation.append({"kind": policy.empty_kind, "points": str(q2(base))})
    explanation.extend(policy.left_out(left_out))
    deducted = ZERO
    for mark in deductions:
        deducted += mark.points
        explanation.append({**mark.entry, "points": str(-q2(mark.points))})
    total = max(ZERO, base - deducted)
    vetoed_by = [dict(mark.entry) for mark in vetoes]
    if vetoed_by:
        capped = min(total, policy.veto_score)
        vetoed_by[0]["points"] = str(q2(capped - total))
        for extra in vetoed_by[1:]:
            extra["points"] = "0.00"
        explanation.extend(vetoed_by)
        total = capped
    total = q2(total)
    vetoed = bool(vetoed_by)
    return Result(
        base=q2(base),
        deductions=q2(deducted),
        vetoed=vetoed,
        total=total,
        grade=policy.grade(total, vetoed),
        counted=sum(i.count for i, _ in scored),
        explanation=explanation,
    )


def _not_due(left_out: list[Item]) -> list[dict[str, Any]]:
    """A plan's tasks with nothing due yet: one entry counting them."""
    return [{"kind": "not_due", "tasks": len(left_out), "points": "0.00"}] if left_out else []


def _task_item(rule: Rule, counted: list[MilestoneFact]) -> dict[str, Any]:
    n = Decimal(len(counted))
    accepted = [m for m in counted if m.status == ReportStatus.ACCEPTED]
    on_time = [m for m in accepted if m.submitted_on is not None and m.submitted_on <= m.due]
    quality_sum = sum(
        (max(ZERO, 1 - m.returns * rule.return_penalty) for m in accepted), start=ZERO
    )
    completion = Decimal(len(accepted)) / n
    timeliness = Decimal(len(on_time)) / n
    quality = quality_sum / n
    item = (
        rule.share_completion * completion
        + rule.share_timeliness * timeliness
        + rule.share_quality * quality
    )
    return {
        "counted": len(counted),
        "accepted": len(accepted),
        "on_time": len(on_time),
        "returns": sum(m.returns for m in accepted),
        "completion": completion,
        "timeliness": timeliness,
        "quality": quality,
        "item": item,
    }


def score_compute(
    rule: Rule, tasks: Iterable[TaskFact], incidents: Iterable[IncidentFact], on: dt.date
) -> Result:
    """An assignee's score on day ``on``; every point given or taken is one explanation entry."""
    items: list[Item] = []
    for task in tasks:
        counted = [m for m in task.milestones if m.status == ReportStatus.ACCEPTED or on > m.due]
        if not counted:
            head = {"kind": "task", "number": task.number, "title": task.title}
            items.append(Item(weight=task.weight, achieved=None, head=head))
            continue
        item = _task_item(rule, counted)
        items.append(
            Item(
                weight=task.weight,
                achieved=item["item"],
                head={
                    "kind": "task",
                    "number": task.number,
                    "title": task.title,
                    "weight": str(task.weight),
                },
                tail={
                    "counted": item["counted"],
                    "accepted": item["accepted"],
                    "on_time": item["on_time"],
                    "returns": item["returns"],
                    "completion": str(q2(item["completion"])),
                    "timeliness": str(q2(item["timeliness"])),
                    "quality": str(q2(item["quality"])),
                },
                count=item["counted"],
            )
        )
    deductions, vetoes = [], []
    for inc in sorted(incidents, key=lambda i: (i.occurred_on, i.id)):
        entry = {
            "kind": inc.effect,
            "incident": inc.id,
            "number": inc.number,
            "title": inc.title,
            "occurred_on": inc.occurred_on.isoformat(),
        }
        if inc.effect == Effect.VETO:
            vetoes.append(Mark(entry))
        else:
            deductions.append(Mark(entry, inc.points))
    return sheet_score(items, deductions=deductions, vetoes=vetoes, policy=rule.policy())


# Loading facts and writing scores ---------------------------------------------------------

_deferred: contextvars.ContextVar[dict[int, set[Key] | None] | None] = contextvars.ContextVar(
    "zhili_targets_deferred_scores", default=None
)
ALL = None  # "every assignee of the plan"


@contextlib.contextmanager
def scores_deferred() -> Iterator[None]:
    """Collect recomputations and run each once at the end (bulk loaders, imports)."""
    if _deferred.get() is not None:
        yield
        return
    pending: dict[int, set[Key] | None] = {}
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    # Reached only when the block succeeded: an error propagates and nothing is recomputed.
    for plan_id, keys in pending.items():
        _recompute(Plan.objects.get(pk=plan_id), keys)


def key_of(obj: Any) -> Key:
    """The assignee of an assignment, report, incident or score."""
    unit_id = getattr(obj, "unit_id", None)
    return ("unit", unit_id) if unit_id else ("area", obj.area_id)


def scores_recompute(*, plan: Plan, keys: Iterable[Key] | None = ALL) -> None:
    """Recompute the scores of ``keys`` (or of every assignee) now, or at the end of the
    surrounding ``scores_deferred`` block."""
    pending = _deferred.get()
    wanted = None if keys is None else set(keys)
    if pending is not None:
        if wanted is None:
            pending[plan.pk] = None
        elif plan.pk not in pending:
            pending[plan.pk] = wanted
        elif (collected := pending[plan.pk]) is not None:
            collected.update(wanted)
        return
    _recompute(plan, wanted)


def _key_q(keys: set[Key] | None) -> Q:
    if keys is None:
        return Q()
    units = [i for k, i in keys if k == "unit"]
    areas = [i for k, i in keys if k == "area"]
    return Q(unit_id__in=units) | Q(unit__isnull=True, area_id__in=areas)


def _recompute(plan: Plan, keys: set[Key] | None) -> None:
    on = plan.clock()
    rule = Rule.of(plan)
    scored_kinds = [AssignmentKind.LEAD, AssignmentKind.CO, AssignmentKind.DISTRICT]
    assignments = list(
        Assignment.objects.filter(plan=plan, kind__in=scored_kinds)
        .filter(_key_q(keys))
        .select_related("task", "unit", "unit__area", "area")
        .order_by("task__seq", "task_id", "id")
    )
    tasks_by_key: dict[Key, list[TaskFact]] = defaultdict(list)
    fact_of: dict[int, TaskFact] = {}
    who: dict[Key, Any] = {}
    for a in assignments:
        key = key_of(a)
        fact = TaskFact(number=a.task.number, title=a.task.title, weight=a.task.weight)
        tasks_by_key[key].append(fact)
        fact_of[a.pk] = fact
        who[key] = a.unit if a.unit_id else a.area
    reports = Report.objects.filter(assignment_id__in=list(fact_of)).values_list(
        "assignment_id", "milestone__due", "status", "submitted_on", "returns"
    )
    for assignment_id, due, status, submitted_on, returns in reports.iterator(chunk_size=2000):
        fact_of[assignment_id].milestones.append(
            MilestoneFact(due=due, status=status, submitted_on=submitted_on, returns=returns)
        )
    incidents_by_key: dict[Key, list[IncidentFact]] = defaultdict(list)
    incidents = (
        Incident.objects.filter(plan=plan, status=IncidentStatus.ACTIVE)
        .filter(_key_q(keys))
        .select_related("item", "unit", "unit__area", "area")
    )
    for inc in incidents:
        key = key_of(inc)
        who.setdefault(key, inc.unit if inc.unit_id else inc.area)
        incidents_by_key[key].append(
            IncidentFact(
                id=inc.pk,
                number=inc.item.number,
                title=inc.item.title,
                effect=inc.item.effect,
                points=inc.item.points,
                occurred_on=inc.occurred_on,
            )
        )
    _write(plan, keys, on, rule, who, tasks_by_key, incidents_by_key)


def _write(
    plan: Plan,
    keys: set[Key] | None,
    on: dt.date,
    rule: Rule,
    who: dict[Key, Any],
    tasks_by_key: dict[Key, list[TaskFact]],
    incidents_by_key: dict[Key, list[IncidentFact]],
) -> None:
    existing = {key_of(s): s for s in Score.objects.filter(plan=plan).filter(_key_q(keys))}
    stale = [s.pk for k, s in existing.items() if k not in who]
    if stale:
        Score.objects.filter(pk__in=stale).delete()
    to_create: list[Score] = []
    to_update: list[Score] = []
    for key, holder in who.items():
        result = score_compute(rule, tasks_by_key.get(key, []), incidents_by_key.get(key, []), on)
        unit = holder if key[0] == "unit" else None
        area = holder.area if unit is not None else holder
        score = existing.get(key) or Score(plan=plan, unit=unit, area=area)
        score.area = area
        score.area_path = area.path
        score.name = holder.name
        score.base, score.deductions = result.base, result.deductions
        score.vetoed, score.total, score.grade = result.vetoed, result.total, result.grade
        score.counted, score.explanation, score.computed_on = (
            result.counted,
            result.explanation,
            on,
        )
        (to_update if score.pk else to_create).append(score)
    fields = [
        "area",
        "area_path",
        "name",
        "base",
        "deductions",
        "vetoed",
        "total",
        "grade",
        "counted",
        "explanation",
        "computed_on",
        "computed_at",
    ]
    if to_update:
        from django.utils import timezone

        now = timezone.now()
        for s in to_update:
            s.computed_at = now
        Score.objects.bulk_update(to_update, fields, batch_size=500)
    if to_create:
        Score.objects.bulk_create(to_create, batch_size=500)
