"""Every write to the risk register. Entry needs a person, a matter and a place (见人、见事、见地点);
ownership needs a person, a unit and measures (定人、定责、定措施).

Every change of a risk is one ``WORKFLOW.transition`` (``risks/workflow.py``): each service checks
its input, then hands the step to the transition, which locks the risk, answers 404/409/403, bumps
the version, appends the event and writes the audit record; each accepts the caller's ``version``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.privacy import reveal
from zhili.core.scoping import can, holders
from zhili.core.validation import clean_text, next_in_sequence
from zhili.risks.configuration import (  # the city's configuration, written here too
    default_matrix,
    matrix_cells_5x5,
    matrix_save,
    policy_of,
    policy_update,
)
from zhili.risks.models import (
    PREFILL_FIELDS,
    STABILITY_TESTS,
    Assessment,
    AssessmentKind,
    CandidateKind,
    CandidateStatus,
    Category,
    Confidence,
    ElementKind,
    Level,
    Measure,
    Risk,
    RiskCandidate,
    RiskCounter,
    RiskElement,
    RiskMatrix,
    Source,
)
from zhili.risks.workflow import WORKFLOW

__all__ = [  # matrix_cells_5x5: the 0002 migration reads it from here
    "candidate_dismiss",
    "candidate_evidence_add",
    "candidate_propose",
    "default_matrix",
    "escalate",
    "matrix_cells_5x5",
    "matrix_save",
    "measure_add",
    "measure_done",
    "policy_update",
    "risk_accept",
    "risk_acceptance_expire",
    "risk_assess",
    "risk_assign",
    "risk_close",
    "risk_register",
    "risk_reopen",
    "risk_reveal_personal",
]


def _text(value: str | None, label: str, limit: int = 0, required: bool = True) -> str:
    return clean_text(value, label, limit=limit, required=required)


def _number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    return f"FX{year}{next_in_sequence(RiskCounter, year=year):06d}"


PERSON_FIELDS = {"name": _("姓名"), "id_number": _("身份证号"), "phone": _("电话")}


def _refuse_masked(person: dict[str, Any]) -> None:
    """A masked value ("孙*", "135****5678") copied from a page is not a person's data."""
    for key, label in PERSON_FIELDS.items():
        if "*" in (person.get(key) or ""):
            raise ValidationFailed(
                gettext("相关人员的%(label)s是脱敏显示的内容，请填写核实后的真实信息")
                % {"label": label},
                code="masked_value",
                detail={"field": key},
            )


def _clean_elements(
    persons: list[dict[str, Any]], elements: list[dict[str, Any]]
) -> list[RiskElement]:
    out = []
    for p in persons:
        name = (p.get("name") or "").strip()
        if name:
            _refuse_masked(p)
            out.append(
                RiskElement(
                    kind=ElementKind.PERSON,
                    name=name[:100],
                    id_number=(p.get("id_number") or "")[:32],
                    phone=(p.get("phone") or "")[:32],
                    detail=(p.get("detail") or "")[:300],
                )
            )
    if not out:
        raise ValidationFailed(
            gettext("风险入库须见人：至少登记一名相关人员"), code="person_required"
        )
    for e in elements:
        kind, name = e.get("kind"), (e.get("name") or "").strip()
        if not name:
            continue
        if kind not in ElementKind.values:
            raise ValidationFailed(gettext("风险要素类型无效"), code="invalid_element")
        out.append(RiskElement(kind=kind, name=name[:100], detail=(e.get("detail") or "")[:300]))
    return out


@transaction.atomic
def risk_register(
    *,
    actor: Any,
    title: str,
    description: str,
    category: str,
    source: str,
    area: Area | None,
    address: str,
    persons: list[dict[str, Any]],
    elements: list[dict[str, Any]] | None = None,
    matter: Any = None,
    dispute: Any = None,
    candidate: RiskCandidate | None = None,
) -> Risk:
    """入库: only with a person, the matter (what) and the place (area down to grid/building +
    address)."""
    title = _text(title, gettext("风险名称"), 120)
    description = _text(description, gettext("风险事项（见事）"), 4000)
    if category not in Category.values:
        raise ValidationFailed(gettext("风险类别无效"), code="invalid_category")
    if source not in Source.values:
        raise ValidationFailed(gettext("风险来源无效"), code="invalid_source")
    if area is None:
        raise ValidationFailed(gettext("风险入库须见地点：请选择区域"), code="place_required")
    if not area.is_current or area.level in (AreaLevel.CITY, AreaLevel.DISTRICT):
        raise ValidationFailed(
            gettext("风险地点须为现行的街道、社区、网格或楼栋"), code="place_required"
        )
    address = _text(address, gettext("详细地址（见地点）"), 200)
    if source == Source.MATTER and matter is None:
        raise ValidationFailed(gettext("来源为群众诉求时须关联诉求"), code="matter_required")
    if not can(actor, "add", Risk, area.path):
        raise PermissionDenied(gettext("您不能在该区域登记风险"))
    rows = _clean_elements(persons, elements or [])
    if candidate is not None:
        candidate = _lock_candidate(actor, candidate, "view")
    now = timezone.now()
    risk = Risk.objects.create(
        number=_number(now),
        title=title,
        description=description,
        category=category,
        source=source,
        matter=matter,
        dispute=dispute,
        area=area,
        area_path=area.path,
        address=address,
        created_by=actor,
    )
    for row in rows:
        row.risk = risk
    RiskElement.objects.bulk_create(rows)
    if candidate is not None:
        candidate.status, candidate.risk, candidate.decided_by = (
            CandidateStatus.REGISTERED,
            risk,
            actor,
        )
        candidate.save(update_fields=["status", "risk", "decided_by"])
    # The source matter is on the risk itself (and shown through the matters' scoping).
    WORKFLOW.record(
        actor=actor,
        obj=risk,
        action="register",
        before="",
        at=now,
        data={"number": risk.number, "source": source},
    )
    return risk


# -- transitions: every state change of a risk is one WORKFLOW.transition ----------------------


def _user_name(user: Any) -> str:
    return getattr(user, "display_name", "") or user.username


def _validate_rating(
    risk: Risk,
    matrix: RiskMatrix,
    kind: str,
    likelihood: int,
    impact: int,
    tests: dict[str, bool],
) -> None:
    rows, cols = matrix.size
    if not (isinstance(likelihood, int) and 1 <= likelihood <= rows):
        raise ValidationFailed(
            gettext("可能性须在 1 到 %(rows)s 之间") % {"rows": rows}, code="out_of_range"
        )
    if not (isinstance(impact, int) and 1 <= impact <= cols):
        raise ValidationFailed(
            gettext("影响程度须在 1 到 %(cols)s 之间") % {"cols": cols}, code="out_of_range"
        )
    if risk.category == Category.PROJECT:
        missing = [label for key, label in STABILITY_TESTS.items() if key not in tests]
        if missing:
            raise ValidationFailed(
                gettext("重大项目/决策须完成四性审查：%(missing)s")
                % {"missing": gettext("、").join(str(m) for m in missing)},
                code="stability_tests",
            )


@transaction.atomic
def risk_assess(
    *,
    actor: Any,
    risk: Risk,
    kind: str,
    likelihood: int,
    impact: int,
    confidence: str,
    matrix: RiskMatrix | None = None,
    stability_tests: dict[str, bool] | None = None,
    note: str = "",
    version: int | None = None,
) -> Assessment:
    """Rate a risk on a matrix; the current rating sets the level, limits, review and escalation
    (red and orange go to the level above in the same transaction)."""
    if kind not in AssessmentKind.values:
        raise ValidationFailed(gettext("评估类型须为固有、当前或残余风险"), code="invalid_kind")
    if confidence not in Confidence.values:
        raise ValidationFailed(gettext("评估把握须为高、中或低"), code="invalid_confidence")
    tests = stability_tests or {}
    unknown = set(tests) - set(STABILITY_TESTS)
    if unknown:
        raise ValidationFailed(
            gettext("未知的审查项"), code="stability_tests", detail=sorted(unknown)
        )
    made: dict[str, Any] = {}
    data: dict[str, Any] = {"kind": kind, "likelihood": likelihood, "impact": impact}

    def apply(r: Risk, now: dt.datetime) -> None:
        used = RiskMatrix.objects.select_for_update().get(pk=(matrix or default_matrix()).pk)
        _validate_rating(r, used, kind, likelihood, impact, tests)
        level = used.level_of(likelihood, impact)
        if not used.frozen:
            used.frozen = True
            used.save(update_fields=["frozen"])
        made["assessment"] = Assessment.objects.create(
            risk=r,
            matrix=used,
            kind=kind,
            likelihood=likelihood,
            impact=impact,
            level=level,
            stability_tests={k: bool(v) for k, v in tests.items()},
            confidence=confidence,
            note=note,
            assessor=actor,
        )
        data["level"] = level  # the event's details, recorded after this step
        if kind != AssessmentKind.RESIDUAL:
            made["escalate"] = _set_level(r, level, now)

    risk = WORKFLOW.transition(
        actor=actor, obj=risk, action="assess", apply=apply, note=note, data=data, version=version
    )
    if made.get("escalate"):
        _escalated(actor, risk)
    return made["assessment"]


def _set_level(risk: Risk, level: str, now: dt.datetime) -> bool:
    """Level, handling limit and review date from the level's policy; True when the risk is to go
    to the level above now."""
    policy = policy_of(level)
    today = timezone.localtime(now).date()
    risk.level = level
    risk.handle_due = today + dt.timedelta(days=policy.handle_days)
    risk.next_review = today + dt.timedelta(days=policy.review_days)
    if policy.escalate and risk.escalated_to_id is None:
        risk.escalated_to = _escalation_target(risk)
        return True
    return False


def _escalation_target(risk: Risk) -> Area:
    """The district above a street's risk (the city for a district's own)."""
    codes = [c for c in risk.area_path.split("/") if c]
    return Area.objects.get(code=codes[1] if len(codes) > 2 else codes[0])


def _escalation_data(risk: Risk) -> dict[str, Any]:
    target = risk.escalated_to
    assert target is not None
    return {"to": target.code, "to_name": target.name, "level": risk.level}


def _notify_escalation(risk: Risk) -> None:
    """Tell who holds the right to assess risks over the target area: active users with a grant
    on a current area at or above it (``core.scoping.holders``)."""
    from zhili.core.notify import notify

    notify(
        recipients=holders("risks.risk.assess", risk.escalated_to),
        kind="risk_escalated",
        title=f"{risk.get_level_display()}风险上报：{risk.title}",
        body=f"{risk.area.name} {risk.address}",
        url=f"/risks/{risk.number}/",
        obj=risk,
        dedupe_key=f"risk-escalate-{risk.pk}-{risk.level}",
    )


def _escalated(actor: Any, risk: Risk) -> None:
    """The escalation an assessment made: its transition saved the risk; record the step."""
    _notify_escalation(risk)
    WORKFLOW.record(actor=actor, obj=risk, action="escalate", data=_escalation_data(risk))


def _next_up(area: Area) -> Area | None:
    """The level above ``area`` on the tree (None above the city)."""
    codes = [c for c in area.path.split("/") if c]
    return Area.objects.get(code=codes[-2]) if len(codes) > 1 else None


@transaction.atomic
def escalate_overdue(*, actor: Any, risk: Risk, now: dt.datetime | None = None) -> Risk | None:
    """A red or orange risk (per its level policy) past its handling limit climbs one more level:
    street → district → city, each time with a fresh handling limit from the policy, so the next
    level gets its own time before the climb goes on. At the city it stays (the sweep notifies)."""
    data: dict[str, Any] = {}
    today = timezone.localtime(now or timezone.now()).date()

    def apply(r: Risk, at: dt.datetime) -> None:
        if r.handle_due is None or r.handle_due >= today:
            raise Conflict(gettext("尚未超过处置时限"), code="not_overdue")
        policy = policy_of(r.level)
        if not policy.escalate:
            raise Conflict(gettext("该等级不自动上报"), code="no_escalation")
        target = _escalation_target(r) if r.escalated_to is None else _next_up(r.escalated_to)
        if target is None:
            raise Conflict(gettext("已上报至市级"), code="at_the_top")
        missed = r.handle_due
        r.escalated_to = target
        r.handle_due = today + dt.timedelta(days=policy.handle_days)
        data.update(_escalation_data(r), missed=missed.isoformat())

    risk = WORKFLOW.transition(actor=actor, obj=risk, action="escalate", apply=apply, data=data)
    _notify_escalation(risk)
    return risk


@transaction.atomic
def escalate(*, actor: Any, risk: Risk, version: int | None = None) -> Risk:
    """Send a risk not yet escalated to the level above (the sweep, after a policy change)."""
    data: dict[str, Any] = {}

    def apply(r: Risk, now: dt.datetime) -> None:
        if r.escalated_to_id is not None:
            raise Conflict(gettext("该风险已上报"), code="already_escalated")
        r.escalated_to = _escalation_target(r)
        data.update(_escalation_data(r))

    risk = WORKFLOW.transition(
        actor=actor, obj=risk, action="escalate", apply=apply, data=data, version=version
    )
    _notify_escalation(risk)
    return risk


def _require_holder(person: Any, risk: Risk, action: str, why: Any) -> None:
    """A 责任人 acts on the risk (``change`` over its place), a measure's owner at least sees it
    (``view``): the rule the pickers offer by (``risks.pickers``)."""
    if not getattr(person, "is_active", False) or not can(person, action, Risk, risk.area_path):
        raise ValidationFailed(f"{_user_name(person)}{why}", code="not_a_holder")


@transaction.atomic
def risk_assign(
    *, actor: Any, risk: Risk, person: Any, unit: Any, version: int | None = None
) -> Risk:
    """定人、定责."""
    if person is None or unit is None:
        raise ValidationFailed(gettext("须指定责任人和责任单位"), code="owner_required")
    _require_holder(person, risk, "change", gettext("没有处置本辖区风险的权限，不能担任责任人"))

    def apply(r: Risk, now: dt.datetime) -> None:
        r.responsible_person, r.responsible_unit = person, unit

    return WORKFLOW.transition(
        actor=actor,
        obj=risk,
        action="assign",
        apply=apply,
        data={"person": person.username, "person_name": _user_name(person), "unit": unit.name},
        version=version,
    )


@transaction.atomic
def measure_add(
    *, actor: Any, risk: Risk, text: str, owner: Any, due: dt.date, version: int | None = None
) -> Measure:
    """定措施."""
    if owner is None:
        raise ValidationFailed(gettext("须指定措施负责人"), code="owner_required")
    _require_holder(owner, risk, "view", gettext("看不到本辖区的风险，不能担任措施负责人"))
    if due < timezone.localdate():
        raise ValidationFailed(gettext("完成时限不能早于今天"), code="invalid_due")
    text = _text(text, gettext("措施"), 300)
    made: dict[str, Measure] = {}

    def apply(r: Risk, now: dt.datetime) -> None:
        made["measure"] = Measure.objects.create(risk=r, text=text, owner=owner, due=due)

    WORKFLOW.transition(
        actor=actor,
        obj=risk,
        action="measure",
        apply=apply,
        data={
            "text": text,
            "owner": owner.username,
            "owner_name": _user_name(owner),
            "due": due.isoformat(),
        },
        version=version,
    )
    return made["measure"]


@transaction.atomic
def measure_done(*, actor: Any, measure: Measure, version: int | None = None) -> Measure:
    """A measure carried out (the risk's version moves: closure depends on its measures)."""

    def apply(r: Risk, now: dt.datetime) -> None:
        m = Measure.objects.get(pk=measure.pk, risk=r)
        if m.done_at is not None:
            raise Conflict(gettext("该措施已完成"), code="measure_done")
        m.done_at = now
        m.save(update_fields=["done_at"])
        measure.done_at = now

    WORKFLOW.transition(
        actor=actor,
        obj=measure.risk_id,
        action="measure_done",
        apply=apply,
        data={"text": measure.text},
        version=version,
    )
    return measure


@transaction.atomic
def risk_close(
    *,
    actor: Any,
    risk: Risk,
    final_rating: str,
    note: str,
    attachments: list[Any] | None = None,
    version: int | None = None,
) -> Risk:
    """销号 with evidence and a final rating, once every measure is done."""
    if final_rating not in Level.values:
        raise ValidationFailed(gettext("请给出销号时的风险等级"), code="invalid_level")
    note = _text(note, gettext("销号依据"), 2000)
    if not attachments:
        raise ValidationFailed(
            gettext("销号须上传化解或管控到位的佐证材料"), code="evidence_required"
        )

    def apply(r: Risk, now: dt.datetime) -> None:
        missing = [
            label
            for label, present in (
                (gettext("责任人"), r.responsible_person_id is not None),
                (gettext("责任单位"), r.responsible_unit_id is not None),
                (gettext("管控措施"), r.measures.exists()),
            )
            if not present
        ]
        if missing:
            raise ValidationFailed(
                gettext("销号前须定人、定责、定措施：尚缺%(missing)s")
                % {"missing": gettext("、").join(str(m) for m in missing)},
                code="ownership_required",
            )
        if r.measures.filter(done_at__isnull=True).exists():
            raise ValidationFailed(gettext("尚有未完成的管控措施，不能销号"), code="measures_open")
        r.final_rating, r.closed_at = final_rating, now

    return WORKFLOW.transition(
        actor=actor,
        obj=risk,
        action="close",
        apply=apply,
        note=note,
        data={"final_rating": final_rating},
        attachments=attachments,
        version=version,
    )


def _clear_closure(r: Risk) -> None:
    r.closed_at, r.final_rating = None, ""
    r.acceptance_reason, r.acceptance_by, r.acceptance_expires = "", None, None


@transaction.atomic
def risk_reopen(*, actor: Any, risk: Risk, reason: str, version: int | None = None) -> Risk:
    """A closed or accepted risk back under control."""
    reason = _text(reason, gettext("重新打开理由"), 1000)
    return WORKFLOW.transition(
        actor=actor,
        obj=risk,
        action="reopen",
        apply=lambda r, now: _clear_closure(r),
        note=reason,
        version=version,
    )


@transaction.atomic
def risk_accept(
    *, actor: Any, risk: Risk, reason: str, expires: dt.date, version: int | None = None
) -> Risk:
    """正式接受 a residual risk: approver, reason and an expiry after which it is reviewed again
    (never a red one: the rule's guard)."""
    reason = _text(reason, gettext("接受理由"), 1000)
    if expires <= timezone.localdate() or expires > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationFailed(gettext("接受有效期须在今后一年之内"), code="invalid_expiry")

    def apply(r: Risk, now: dt.datetime) -> None:
        r.acceptance_reason, r.acceptance_by, r.acceptance_expires = reason, actor, expires

    return WORKFLOW.transition(
        actor=actor,
        obj=risk,
        action="accept",
        apply=apply,
        note=reason,
        data={"expires": expires.isoformat()},
        version=version,
    )


@transaction.atomic
def risk_acceptance_expire(
    *, actor: Any, risk: Risk, now: dt.datetime | None = None, version: int | None = None
) -> Risk:
    """The sweep: an acceptance past its expiry puts the risk back under control."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    data: dict[str, Any] = {}

    def apply(r: Risk, at: dt.datetime) -> None:
        if r.acceptance_expires is None or r.acceptance_expires >= today:
            raise Conflict(gettext("接受尚在有效期内"), code="acceptance_current")
        data["expired"] = r.acceptance_expires.isoformat()

    return WORKFLOW.transition(
        actor=actor,
        obj=risk,
        action="acceptance_expired",
        apply=apply,
        note="接受有效期已到，重新纳入管控",
        data=data,
        version=version,
    )


def _lock_candidate(actor: Any, candidate: RiskCandidate, action: str) -> RiskCandidate:
    """A hot spot still waiting for a decision (candidates have no workflow: proposed ->
    registered or dismissed, once)."""
    found = (
        RiskCandidate.objects.visible_to(actor, action)
        .select_for_update()
        .filter(pk=candidate.pk)
        .first()
    )
    if found is None:
        raise NotFound(
            gettext("风险线索不存在或不在您的管辖范围内"), code="riskcandidate_not_found"
        )
    if found.status != CandidateStatus.PROPOSED:
        raise Conflict(gettext("该线索已处理"), code="illegal_transition")
    return found


@transaction.atomic
def candidate_propose(
    *,
    key: str,
    kind: str,
    area: Area,
    title: str,
    evidence: dict[str, Any],
    matter_ids: list[int] | None = None,
) -> tuple[RiskCandidate, bool]:
    """Another module proposes a candidate (a red wage warning, …): it waits in the candidates
    queue of the area's district and street for an officer to register it as a risk or dismiss
    it; nothing is registered silently. Idempotent by ``key``: returns (candidate, created)."""
    if kind not in CandidateKind.values:
        raise ValidationFailed(gettext("风险线索类型无效"), code="invalid_kind")
    prefill = evidence.get("prefill") or {}
    if set(prefill) - set(PREFILL_FIELDS):
        raise ValidationFailed(gettext("风险线索的预填字段无效"), code="invalid_prefill")
    found = RiskCandidate.objects.filter(key=key[:200]).first()
    if found is not None:
        return found, False
    cand = RiskCandidate.objects.create(
        key=key[:200],
        kind=kind,
        area=area,
        area_path=area.path,
        title=clean_text(title, "线索", limit=200),
        evidence=evidence,
    )
    cand.matters.set(matter_ids or [])
    audit_record(
        actor=None,
        action="risk.candidate_propose",
        obj=cand,
        area_path=cand.area_path,
        after={"kind": kind, "title": cand.title},
    )
    return cand, True


@transaction.atomic
def candidate_evidence_add(
    *, candidate: RiskCandidate, items: list[str], matter_ids: list[int] | None = None
) -> RiskCandidate:
    """More evidence for a candidate still waiting for a decision (later findings of the same
    kind about the same place); a decided candidate is left as it was decided."""
    found = RiskCandidate.objects.select_for_update().get(pk=candidate.pk)
    if found.status != CandidateStatus.PROPOSED:
        return found
    known = list(found.evidence.get("items", []))
    fresh = [i[:300] for i in items if i and i not in known]
    if fresh:
        found.evidence = {**found.evidence, "items": [*known, *fresh][-50:]}
        found.save(update_fields=["evidence"])
    if matter_ids:
        found.matters.add(*matter_ids)
    return found


@transaction.atomic
def candidate_dismiss(*, actor: Any, candidate: RiskCandidate, note: str) -> RiskCandidate:
    """A hot spot judged not to be a risk."""
    note = _text(note, gettext("排除理由"), 1000)
    found = _lock_candidate(actor, candidate, "change")
    found.status, found.decided_by, found.decision_note = CandidateStatus.DISMISSED, actor, note
    found.save(update_fields=["status", "decided_by", "decision_note"])
    audit_record(
        actor=actor,
        action="risk.candidate_dismiss",
        obj=found,
        area_path=found.area_path,
        note=note,
    )
    return found


def risk_reveal_personal(*, actor: Any, risk: Risk) -> list[dict[str, str]]:
    """Unmasked ID numbers and phones of the people of a risk: the one audited reveal."""
    people = risk.elements.filter(kind=ElementKind.PERSON).order_by("id")
    return reveal(
        actor=actor,
        obj=risk,
        rows=({"name": e.name, "id_number": e.id_number, "phone": e.phone} for e in people),
        what="风险相关人员",
    )
