"""Every write of target management: keyword-only, in one transaction, audited.

Who may do what (roles are data; these are the actions the services check):
- import a plan, change its scoring rule, assign tasks, record negative-list incidents:
  ``targets.plan.import`` / ``.change``, ``targets.assignment.add|delete``, ``targets.incident.add``
  over the plan's area (the city office);
- split a district's share among its streets: ``targets.assignment.add`` over the district;
- report progress and review it: the rules table of ``targets.workflow`` (reports move only
  through ``Workflow.transition``).
An object out of the actor's scope answers 404, a missing right 403 (``core.scoping.require``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.audit import audit_record, snapshot
from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.core.scoping import can, object_path, require
from zhili.org.models import Unit
from zhili.targets import imports, notices, steps
from zhili.targets.evidence import Upload, evidence_store
from zhili.targets.evidence import check as evidence_check
from zhili.targets.holders import holders_of
from zhili.targets.holders import key_of as held_by
from zhili.targets.models import (
    Assignment,
    AssignmentKind,
    Evidence,
    Incident,
    IncidentStatus,
    Milestone,
    NegativeItem,
    Plan,
    PlanStatus,
    Reminder,
    ReminderKind,
    Report,
    ReportStatus,
    Task,
)
from zhili.targets.scoring import key_of, scores_deferred, scores_recompute
from zhili.targets.steps import MAX_TEXT
from zhili.targets.workflow import REPORTS, SUBMIT


def root_area() -> Area:
    area = Area.objects.filter(code=settings.ZHILI_ROOT_CODE).first()
    if area is None:
        raise ValidationFailed(gettext("请先载入区划：zhili load_areas"), code="no_areas")
    return area


def _need(actor: Any, action: str, model: type, path: str, message: str) -> None:
    """A right to create where nothing exists yet to be out of scope of (a plan): 403 without it."""
    if not can(actor, action, model, path):
        raise PermissionDenied(message, code="forbidden")


def _require(
    actor: Any,
    action: str,
    obj: Any,
    *,
    model: type | None = None,
    at: str | None = None,
    message: str = "",
) -> None:
    """The access check of a write on ``obj`` (``core.scoping.require``): 404 when ``obj`` is out
    of the actor's scope, 403 without ``action``. Rights held a level up (the office's over the
    plan, a district's over its streets' shares) are asked of ``model`` at the path ``at``."""
    if at is None and model is None:
        require(actor, action, obj)
        return
    require(actor, "view", obj)
    if not can(actor, action, model or type(obj), at or object_path(obj)):
        raise PermissionDenied(message or gettext("您没有进行此操作的权限"), code="forbidden")


def _active(plan: Plan) -> None:
    if not plan.is_active:
        raise ValidationFailed(
            gettext("%(title)s已结束，不能再修改") % {"title": plan.title}, code="plan_closed"
        )


# Plans ---------------------------------------------------------------------------------------


def _make_assignments(
    plan: Plan,
    task: Task,
    milestones: list[Milestone],
    specs: list[tuple[str, Unit | None, Area, Assignment | None]],
) -> list[Assignment]:
    """Assignments (kind, unit, area, parent) of ``task`` with one pending report per milestone."""
    rows = [
        Assignment(
            plan=plan,
            task=task,
            kind=kind,
            unit=unit,
            area=area,
            area_path=area.path,
            parent=parent,
        )
        for kind, unit, area, parent in specs
    ]
    Assignment.objects.bulk_create(rows)
    Report.objects.bulk_create(
        [
            Report(plan=plan, assignment=a, milestone=m, unit=a.unit, area_path=a.area_path)
            for a in rows
            for m in milestones
        ],
        batch_size=1000,
    )
    return rows


@transaction.atomic
def plan_import(*, actor: Any, year: int, title: str, data: bytes, filename: str) -> Plan:
    """Create a year's plan from the filled template, or nothing at all."""
    root = root_area()
    _need(actor, "import", Plan, root.path, gettext("只有市委政法委考核办可以导入考核方案"))
    title = (title or "").strip() or f"{year} 年市域社会治理试点目标任务"
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(gettext("考核年度无效"))
    if Plan.objects.filter(year=year).exists():
        raise ValidationFailed(
            gettext("%(year)s 年的考核方案已存在") % {"year": year}, code="duplicate"
        )
    draft = imports.read_workbook(data, year=year, root=root)
    plan = Plan.objects.create(
        year=year,
        title=title[:200],
        area=root,
        source_name=filename[:200],
        source_sha256=hashlib.sha256(data).hexdigest(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    with scores_deferred():
        tasks = Task.objects.bulk_create(
            [
                Task(
                    plan=plan,
                    number=row.number,
                    seq=i,
                    title=row.title,
                    requirement=row.requirement,
                    method=row.method,
                    weight=row.weight,
                    deadline=row.deadline,
                )
                for i, row in enumerate(draft.tasks, start=1)
            ]
        )
        for task, row in zip(tasks, draft.tasks, strict=True):
            milestones = Milestone.objects.bulk_create(
                [
                    Milestone(
                        task=task,
                        seq=i,
                        label=m.label,
                        due=m.due,
                        requirement=m.requirement,
                        evidence=m.evidence,
                    )
                    for i, m in enumerate(row.milestones, start=1)
                ]
            )
            specs: list[tuple[str, Unit | None, Area, Assignment | None]] = [
                (AssignmentKind.LEAD, row.lead, row.lead.area, None)
            ]
            specs += [(AssignmentKind.CO, u, u.area, None) for u in row.co]
            specs += [(AssignmentKind.DISTRICT, None, a, None) for a in row.districts]
            _make_assignments(plan, task, milestones, specs)
        NegativeItem.objects.bulk_create(
            [
                NegativeItem(
                    plan=plan,
                    number=n.number,
                    title=n.title,
                    trigger=n.trigger,
                    effect=n.effect,
                    points=n.points,
                )
                for n in draft.negatives
            ]
        )
        scores_recompute(plan=plan)
    audit_record(
        actor=actor,
        action="targets.plan.import",
        obj=plan,
        area_path=root.path,
        after={
            "year": year,
            "title": plan.title,
            "tasks": len(draft.tasks),
            "milestones": sum(len(t.milestones) for t in draft.tasks),
            "negative_items": len(draft.negatives),
            "file": filename,
            "sha256": plan.source_sha256,
        },
    )
    return plan


RULE_FIELDS = [
    "status",
    "note",
    "as_of",
    "risk_days",
    "share_completion",
    "share_timeliness",
    "share_quality",
    "return_penalty",
    "veto_score",
    "grade_excellent",
    "grade_good",
    "grade_pass",
]


@transaction.atomic
def plan_rule_update(*, actor: Any, plan: Plan, **changes: Any) -> Plan:
    """Change the scoring rule, the clock or the status; every score is recomputed at once."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(actor, "change", plan)  # over the plan's area: the city office
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed(gettext("不能修改这些字段"), detail=sorted(unknown))
    before = snapshot(plan, RULE_FIELDS)
    for key, value in changes.items():
        setattr(plan, key, value)
    shares = plan.share_completion + plan.share_timeliness + plan.share_quality
    if min(plan.share_completion, plan.share_timeliness, plan.share_quality) < 0:
        raise ValidationFailed(gettext("各项占比不能为负数"))
    if shares != Decimal(1):
        raise ValidationFailed(
            gettext("完成度、及时性、审核质量三项占比之和须为 1（现为 %(shares)s）")
            % {"shares": shares}
        )
    if not plan.grade_excellent >= plan.grade_good >= plan.grade_pass:
        raise ValidationFailed(gettext("等次分数线须满足 优秀 ≥ 良好 ≥ 合格"))
    if plan.status not in PlanStatus.values:
        raise ValidationFailed(gettext("状态无效"))
    if not 0 <= int(plan.risk_days) <= 90:
        raise ValidationFailed(gettext("临期天数须在 0 到 90 之间"))
    plan.save()
    scores_recompute(plan=plan)
    audit_record(
        actor=actor,
        action="targets.plan.rule",
        obj=plan,
        area_path=plan.area.path,
        before=before,
        after=snapshot(plan, RULE_FIELDS),
    )
    return plan


# Decomposition -------------------------------------------------------------------------------


@transaction.atomic
def assignment_add(
    *, actor: Any, task: Task, unit: Unit | None = None, district: Area | None = None
) -> Assignment:
    """Assign a task to one more co-unit or district (the city office)."""
    plan = task.plan
    _active(plan)
    _require(
        actor,
        "add",
        task,
        model=Assignment,
        at=plan.area.path,
        message=gettext("只有市委政法委考核办可以分解任务"),
    )
    if (unit is None) == (district is None):
        raise ValidationFailed(gettext("请选择一个单位或一个区县"))
    spec: tuple[str, Unit | None, Area, Assignment | None]
    if unit is not None:
        if not unit.is_active:
            raise ValidationFailed(gettext("%(name)s 已停用") % {"name": unit.name})
        if Assignment.objects.filter(task=task, unit=unit).exists():
            raise ValidationFailed(
                gettext("%(name)s 已承担该任务") % {"name": unit.name}, code="duplicate"
            )
        spec = (AssignmentKind.CO, unit, unit.area, None)
    else:
        assert district is not None
        if district.level != Level.DISTRICT or not district.is_current:
            raise ValidationFailed(gettext("请选择现行的区县"))
        if Assignment.objects.filter(task=task, area=district, unit__isnull=True).exists():
            raise ValidationFailed(
                gettext("%(name)s 已承担该任务") % {"name": district.name}, code="duplicate"
            )
        spec = (AssignmentKind.DISTRICT, None, district, None)
    (assignment,) = _make_assignments(plan, task, list(task.milestones.all()), [spec])
    scores_recompute(plan=plan, keys=[key_of(assignment)])
    audit_record(
        actor=actor,
        action="targets.assignment.add",
        obj=assignment,
        area_path=assignment.area_path,
        after={"task": task.number, "assignee": assignment.assignee_name, "kind": spec[0]},
    )
    return assignment


@transaction.atomic
def share_split(
    *, actor: Any, assignment: Assignment, streets: list[Area], note: str = ""
) -> list[Assignment]:
    """A district splits its share of a task among some of its streets."""
    plan = assignment.plan
    _require(actor, "add", assignment)  # a district over its own share
    _active(plan)
    if assignment.kind != AssignmentKind.DISTRICT:
        raise ValidationFailed(gettext("只有区县承担的任务可以分解到街道（乡镇）"))
    if not streets:
        raise ValidationFailed(gettext("请至少选择一个街道（乡镇）"))
    wrong = [
        s.name
        for s in streets
        if s.parent_id != assignment.area_id or s.level != Level.STREET or not s.is_current
    ]
    if wrong:
        raise ValidationFailed(
            gettext("%(wrong)s 不是%(name)s的现行街道（乡镇）")
            % {"wrong": gettext("、").join(wrong), "name": assignment.area.name}
        )
    held = set(assignment.shares.values_list("area_id", flat=True))
    again = [s.name for s in streets if s.pk in held]
    if again:
        raise ValidationFailed(
            gettext("%(again)s 已分到该任务") % {"again": gettext("、").join(again)},
            code="duplicate",
        )
    rows = _make_assignments(
        plan,
        assignment.task,
        list(assignment.task.milestones.all()),
        [(AssignmentKind.STREET, None, s, assignment) for s in streets],
    )
    for row in rows:
        row.note = note.strip()[:200]
    if note.strip():
        Assignment.objects.filter(pk__in=[r.pk for r in rows]).update(note=note.strip()[:200])
    audit_record(
        actor=actor,
        action="targets.assignment.split",
        obj=assignment,
        area_path=assignment.area_path,
        after={"task": assignment.task.number, "streets": [s.code for s in streets], "note": note},
    )
    return rows


@transaction.atomic
def assignment_remove(*, actor: Any, assignment: Assignment) -> None:
    """Take a task back from a co-unit, a district or a street, while nothing has been reported."""
    plan = assignment.plan
    # A street's share is taken back by its district, anything else by the office.
    where = (
        assignment.parent.area_path
        if assignment.parent_id and assignment.parent
        else plan.area.path
    )
    _require(actor, "delete", assignment, at=where, message=gettext("没有移除该任务分解的权限"))
    _active(plan)
    if assignment.kind == AssignmentKind.LEAD:
        raise ValidationFailed(gettext("每项任务须有牵头单位，不能移除牵头单位"))
    started = Report.objects.filter(assignment__in=[assignment, *assignment.shares.all()]).exclude(
        status=ReportStatus.PENDING
    )
    if started.exists():
        raise Conflict(
            gettext("%(assignee_name)s 已报送过进展，不能移除")
            % {"assignee_name": assignment.assignee_name}
        )
    key = key_of(assignment)
    audit_record(
        actor=actor,
        action="targets.assignment.remove",
        obj=assignment,
        area_path=assignment.area_path,
        before={"task": assignment.task.number, "assignee": assignment.assignee_name},
    )
    assignment.delete()
    if assignment.kind != AssignmentKind.STREET:
        scores_recompute(plan=plan, keys=[key])


# Progress ------------------------------------------------------------------------------------


@transaction.atomic
def report_submit(
    *,
    actor: Any,
    report: Report,
    text: str,
    uploads: list[Upload] | None = None,
    keep_previous: bool = True,
    version: int | None = None,
    on: dt.date | None = None,
) -> Report:
    """An assignee reports a milestone's progress with its evidence (first time, or after a return).

    ``on`` (the business date) is for loaders of past seasons; pages and the API never pass it.
    Who may, from which state, and the caller's ``version``: ``targets.workflow`` (through
    ``Workflow.transition``); here only the step (``targets.steps``, which the bulk loader of a
    past season, ``targets.bulk``, runs too).
    """
    text = steps.submit_text(text)
    uploads = uploads or []
    evidence_check(uploads)  # refuse a wrong file before anything is written
    # What the step decides on the locked row, for the event it appends (filled by ``apply``).
    files: list[Evidence] = []
    data: dict[str, Any] = {}
    fields: dict[str, Any] = {}

    def apply(locked: Report, now: dt.datetime) -> None:
        kept: list[Evidence] = []
        if keep_previous and locked.status == ReportStatus.RETURNED:
            last = locked.events.filter(action=SUBMIT).order_by("-id").first()
            kept = list(last.evidence.all()) if last else []
        steps.require_evidence(locked, kept, uploads)
        files.extend(steps.distinct(kept + evidence_store(actor=actor, uploads=uploads)))
        step_data, step_fields = steps.submit(locked, now, text=text, files=files, on=on)
        data.update(step_data)
        fields.update(step_fields)

    done: Report = REPORTS.transition(
        actor=actor,
        obj=report,
        action=SUBMIT,
        apply=apply,
        note=text,
        data=data,
        version=version,
        event_fields=fields,
        attachments=files,
    )
    if on is None:  # a loader replaying a past season (``on``) notifies nobody
        _tell_reviewers(done)
    return done


def _tell_reviewers(report: Report) -> None:
    """A notice to those who review the report (the review right over the level above)."""
    from zhili.core.scoping import holders
    from zhili.targets.workflow import review_path

    task = report.milestone.task
    notices.send(
        recipients=holders("targets.report.review", review_path(report)),
        kind="targets.report_submitted",
        title=f"待审核：{task.number} {task.title}",
        body=f"{report.assignment.assignee_name}报送了“{report.milestone.label}”的进展，请审核。",
        url=reverse("targets:cell", args=[report.plan_id, report.assignment_id]),
        obj=report,
        dedupe_key=f"targets.submitted.{report.pk}.{report.version}",
    )


@transaction.atomic
def report_review(
    *,
    actor: Any,
    report: Report,
    decision: str,
    comment: str = "",
    version: int | None = None,
    on: dt.date | None = None,
) -> Report:
    """The level above accepts a submitted report, or returns it with its reasons."""
    comment = steps.review_comment(decision, comment)
    fields: dict[str, Any] = {}

    def apply(locked: Report, now: dt.datetime) -> None:
        fields.update(steps.review(locked, now, decision=decision, on=on))

    return REPORTS.transition(
        actor=actor,
        obj=report,
        action=decision,
        apply=apply,
        note=comment,
        version=version,
        event_fields=fields,
    )


# Negative list -------------------------------------------------------------------------------


@transaction.atomic
def incident_record(
    *,
    actor: Any,
    item: NegativeItem,
    occurred_on: dt.date,
    description: str,
    uploads: list[Upload],
    unit: Unit | None = None,
    district: Area | None = None,
) -> Incident:
    """Record a negative-list incident against a unit or a district; its score follows at once."""
    plan = item.plan
    _active(plan)
    _require(
        actor,
        "add",
        item,
        model=Incident,
        at=plan.area.path,
        message=gettext("只有市委政法委考核办可以认定负面清单事件"),
    )
    if (unit is None) == (district is None):
        raise ValidationFailed(gettext("请选择一个责任单位或一个区县"))
    if district is not None and (district.level != Level.DISTRICT or not district.is_current):
        raise ValidationFailed(gettext("请选择现行的区县"))
    if occurred_on > timezone.localdate():
        raise ValidationFailed(gettext("发生日期不能晚于今天"))
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(gettext("请填写情况说明"))
    if not uploads:
        raise ValidationFailed(
            gettext("请上传佐证材料（如通报、处理决定）"), code="evidence_required"
        )
    files = evidence_store(actor=actor, uploads=uploads)
    area = unit.area if unit is not None else district
    assert area is not None
    incident = Incident.objects.create(
        plan=plan,
        item=item,
        unit=unit,
        area=area,
        area_path=area.path,
        occurred_on=occurred_on,
        description=description[:MAX_TEXT],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    incident.evidence.set(files)
    scores_recompute(plan=plan, keys=[key_of(incident)])
    audit_record(
        actor=actor,
        action="targets.incident.record",
        obj=incident,
        area_path=incident.area_path,
        after={
            "item": item.number,
            "effect": item.effect,
            "points": item.points,
            "assignee": incident.assignee_name,
            "occurred_on": occurred_on,
            "files": [f.sha256 for f in files],
        },
    )
    return incident


@transaction.atomic
def incident_withdraw(*, actor: Any, incident: Incident, reason: str) -> Incident:
    incident = (
        Incident.objects.select_for_update().select_related("plan", "item").get(pk=incident.pk)
    )
    _active(incident.plan)
    _require(
        actor,
        "change",
        incident,
        at=incident.plan.area.path,
        message=gettext("只有市委政法委考核办可以撤销认定"),
    )
    if incident.status != IncidentStatus.ACTIVE:
        raise Conflict(gettext("该事件已撤销"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(gettext("请写明撤销理由"))
    incident.status = IncidentStatus.WITHDRAWN
    incident.withdrawn_reason = reason[:MAX_TEXT]
    incident.save(update_fields=["status", "withdrawn_reason"])
    scores_recompute(plan=incident.plan, keys=[key_of(incident)])
    audit_record(
        actor=actor,
        action="targets.incident.withdraw",
        obj=incident,
        area_path=incident.area_path,
        before={"status": IncidentStatus.ACTIVE},
        after={"status": incident.status, "reason": reason},
    )
    return incident


# Warnings ------------------------------------------------------------------------------------


@transaction.atomic
def reminders_send(*, plan: Plan, on: dt.date | None = None) -> dict[str, int]:
    """Warn assignees of milestones due within ``risk_days`` and flag overdue ones, once each."""
    on = on or plan.clock()
    if not plan.is_active:
        return {"due_soon": 0, "overdue": 0}
    horizon = on + dt.timedelta(days=plan.risk_days)
    open_reports = list(
        Report.objects.filter(plan=plan, milestone__due__lte=horizon)
        .exclude(status=ReportStatus.ACCEPTED)
        .select_related(
            "milestone", "milestone__task", "assignment", "assignment__unit", "assignment__area"
        )
    )
    sent = set(
        Reminder.objects.filter(report__in=open_reports).values_list("report_id", "kind", "due")
    )
    fresh: list[tuple[Report, str]] = []
    for r in open_reports:
        kind: str = ReminderKind.OVERDUE if on > r.milestone.due else ReminderKind.DUE_SOON
        if (r.pk, kind, r.milestone.due) not in sent:
            fresh.append((r, kind))
    people = holders_of(held_by(r) for r, _ in fresh)
    counts = {"due_soon": 0, "overdue": 0}
    rows = []
    for r, kind in fresh:
        a, m = r.assignment, r.milestone
        verb = "已逾期" if kind == ReminderKind.OVERDUE else f"将于 {m.due:%m月%d日} 到期"
        n = notices.send(
            recipients=people.get(held_by(r), []),
            kind=f"targets.{kind}",
            title=f"目标任务 {m.task.number}「{m.task.title}」{m.label}节点{verb}",
            body=f"{a.assignee_name}：{m.requirement or m.task.title}。请及时报送进展和佐证材料。",
            url=reverse("targets:cell", args=[plan.pk, a.pk]),
            obj=r,
            dedupe_key=f"targets:{r.pk}:{kind}:{m.due}",
        )
        rows.append(Reminder(report=r, kind=kind, due=m.due, sent_on=on, recipients=n))
        counts[kind] += 1
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        audit_record(
            actor=None,
            action="targets.reminders",
            obj=plan,
            area_path=plan.area.path,
            after={**counts, "on": on},
        )
    return counts


@transaction.atomic
def scores_refresh(*, plan: Plan) -> None:
    """Recompute every score (the clock moved: milestones fell due without any other input)."""
    scores_recompute(plan=plan)
