"""Every write to the risk register. Entry needs a person, a matter and a place (见人、见事、见地点);
ownership needs a person, a unit and measures (定人、定责、定措施)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.scoping import can
from zhili.core.validation import clean_text, next_in_sequence
from zhili.risks.models import (
    Assessment,
    AssessmentKind,
    CandidateStatus,
    Category,
    Confidence,
    ElementKind,
    Level,
    LevelPolicy,
    Measure,
    Risk,
    RiskCandidate,
    RiskCounter,
    RiskElement,
    RiskEvent,
    RiskMatrix,
    Source,
    Status,
)

STABILITY_TESTS = {
    "legality": "合法性",
    "reasonableness": "合理性",
    "feasibility": "可行性",
    "controllability": "可控性",
}


def _text(value: str | None, label: str, limit: int = 0, required: bool = True) -> str:
    return clean_text(value, label, limit=limit, required=required)


def _require(actor: Any, action: str, risk: Risk) -> None:
    if not Risk.objects.visible_to(actor).filter(pk=risk.pk).exists():
        raise NotFound("风险不存在或不在您的管辖范围内", code="risk_not_found")
    if not can(actor, action, Risk, risk.area_path):
        raise PermissionDenied("没有该操作的权限")


def _event(
    risk: Risk,
    actor: Any,
    action: str,
    note: str = "",
    data: dict | None = None,
    attachments: list[Any] | None = None,
) -> RiskEvent:
    ev = RiskEvent.objects.create(
        risk=risk,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        note=note,
        data=data or {},
    )
    if attachments:
        ev.attachments.set(attachments)
    audit_record(
        actor=actor,
        action=f"risk.{action}",
        obj=risk,
        area_path=risk.area_path,
        after=data or {},
        note=note,
    )
    return ev


def _number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    return f"FX{year}{next_in_sequence(RiskCounter, year=year):06d}"


def _clean_elements(
    persons: list[dict[str, Any]], elements: list[dict[str, Any]]
) -> list[RiskElement]:
    out = []
    for p in persons:
        name = (p.get("name") or "").strip()
        if name:
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
        raise ValidationFailed("风险入库须见人：至少登记一名相关人员", code="person_required")
    for e in elements:
        kind, name = e.get("kind"), (e.get("name") or "").strip()
        if not name:
            continue
        if kind not in ElementKind.values:
            raise ValidationFailed("风险要素类型无效", code="invalid_element")
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
    title = _text(title, "风险名称", 120)
    description = _text(description, "风险事项（见事）", 4000)
    if category not in Category.values:
        raise ValidationFailed("风险类别无效", code="invalid_category")
    if source not in Source.values:
        raise ValidationFailed("风险来源无效", code="invalid_source")
    if area is None:
        raise ValidationFailed("风险入库须见地点：请选择区域", code="place_required")
    if not area.is_current or area.level in (AreaLevel.CITY, AreaLevel.DISTRICT):
        raise ValidationFailed("风险地点须为现行的街道、社区、网格或楼栋", code="place_required")
    address = _text(address, "详细地址（见地点）", 200)
    if source == Source.MATTER and matter is None:
        raise ValidationFailed("来源为群众诉求时须关联诉求", code="matter_required")
    if not can(actor, "add", Risk, area.path):
        raise PermissionDenied("您不能在该区域登记风险")
    rows = _clean_elements(persons, elements or [])
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
        RiskCandidate.objects.filter(pk=candidate.pk).update(
            status=CandidateStatus.REGISTERED, risk=risk, decided_by=actor
        )
    _event(
        risk,
        actor,
        "register",
        data={"number": risk.number, "source": source, "matter": matter.number if matter else None},
    )
    return risk


def default_matrix() -> RiskMatrix:
    found = RiskMatrix.objects.filter(is_default=True).order_by("-id").first()
    if found is None:
        raise NotFound("没有默认风险矩阵", code="no_matrix")
    return found


def matrix_cells_5x5() -> list[list[str]]:
    """Default 5 × 5: score = likelihood × impact; 1–4 蓝, 5–9 黄, 10–14 橙, 15–25 红."""

    def level(score: int) -> str:
        if score >= 15:
            return Level.RED
        if score >= 10:
            return Level.ORANGE
        if score >= 5:
            return Level.YELLOW
        return Level.BLUE

    return [[level(li * im) for im in range(1, 6)] for li in range(1, 6)]


@transaction.atomic
def matrix_save(
    *,
    actor: Any,
    name: str,
    cells: list[list[str]],
    likelihood_labels: list[str],
    impact_labels: list[str],
    matrix: RiskMatrix | None = None,
    make_default: bool = False,
) -> RiskMatrix:
    """Create a matrix, or change one that no assessment has used yet (used ones are frozen)."""
    if not can(actor, "change", RiskMatrix, f"{_root()}/") and not getattr(
        actor, "is_superuser", False
    ):
        raise PermissionDenied("风险矩阵由市级管理员维护")
    if not cells or any(len(row) != len(cells[0]) for row in cells):
        raise ValidationFailed("矩阵须为规则的行列", code="invalid_matrix")
    if any(c not in Level.values for row in cells for c in row):
        raise ValidationFailed("矩阵单元须为 red/orange/yellow/blue", code="invalid_matrix")
    if len(likelihood_labels) != len(cells) or len(impact_labels) != len(cells[0]):
        raise ValidationFailed("刻度数量须与矩阵大小一致", code="invalid_matrix")
    if matrix is not None:
        matrix = RiskMatrix.objects.select_for_update().get(pk=matrix.pk)
        if matrix.frozen:
            raise Conflict(
                "该矩阵已被评估使用，已冻结，不能修改；请另建新矩阵", code="matrix_frozen"
            )
    else:
        matrix = RiskMatrix()
    matrix.name, matrix.cells = _text(name, "矩阵名称", 80), cells
    matrix.likelihood_labels, matrix.impact_labels = likelihood_labels, impact_labels
    if make_default:
        RiskMatrix.objects.update(is_default=False)
        matrix.is_default = True
    matrix.save()
    audit_record(
        actor=actor,
        action="risk.matrix_save",
        obj=matrix,
        area_path=f"{_root()}/",
        after={"name": matrix.name, "cells": cells},
    )
    return matrix


def _root() -> str:
    from django.conf import settings

    return str(settings.ZHILI_ROOT_CODE)


def _policy(level: str) -> LevelPolicy:
    policy = LevelPolicy.objects.filter(level=level).first()
    if policy is None:
        raise NotFound(f"没有 {level} 级的管控规则", code="no_policy")
    return policy


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
) -> Assessment:
    """Rate a risk on a matrix; the current rating sets the level, limits, review and escalation."""
    _require(actor, "assess", risk)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != Status.OPEN:
        raise Conflict("风险已销号或已接受，请先重新打开", code="risk_not_open")
    matrix = RiskMatrix.objects.select_for_update().get(pk=(matrix or default_matrix()).pk)
    rows, cols = matrix.size
    if kind not in AssessmentKind.values:
        raise ValidationFailed("评估类型须为固有、当前或残余风险", code="invalid_kind")
    if not (isinstance(likelihood, int) and 1 <= likelihood <= rows):
        raise ValidationFailed(f"可能性须在 1 到 {rows} 之间", code="out_of_range")
    if not (isinstance(impact, int) and 1 <= impact <= cols):
        raise ValidationFailed(f"影响程度须在 1 到 {cols} 之间", code="out_of_range")
    if confidence not in Confidence.values:
        raise ValidationFailed("评估把握须为高、中或低", code="invalid_confidence")
    tests = stability_tests or {}
    if risk.category == Category.PROJECT:
        missing = [label for key, label in STABILITY_TESTS.items() if key not in tests]
        if missing:
            raise ValidationFailed(
                f"重大项目/决策须完成四性审查：{'、'.join(missing)}", code="stability_tests"
            )
    unknown = set(tests) - set(STABILITY_TESTS)
    if unknown:
        raise ValidationFailed("未知的审查项", code="stability_tests", detail=sorted(unknown))
    level = matrix.level_of(likelihood, impact)
    if not matrix.frozen:
        matrix.frozen = True
        matrix.save(update_fields=["frozen"])
    assessment = Assessment.objects.create(
        risk=risk,
        matrix=matrix,
        kind=kind,
        likelihood=likelihood,
        impact=impact,
        level=level,
        stability_tests={k: bool(v) for k, v in tests.items()},
        confidence=confidence,
        note=note,
        assessor=actor,
    )
    if kind != AssessmentKind.RESIDUAL:
        _set_level(actor, risk, level)
    _event(
        risk,
        actor,
        "assess",
        note=note,
        data={"kind": kind, "likelihood": likelihood, "impact": impact, "level": level},
    )
    return assessment


def _set_level(actor: Any, risk: Risk, level: str) -> None:
    policy = _policy(level)
    today = timezone.localdate()
    risk.level = level
    risk.handle_due = today + dt.timedelta(days=policy.handle_days)
    risk.next_review = today + dt.timedelta(days=policy.review_days)
    risk.version += 1
    risk.save()
    if policy.escalate and risk.escalated_to_id is None:
        escalate(actor=actor, risk=risk)


def escalate(*, actor: Any, risk: Risk) -> None:
    """Red and orange risks go to the level above: the district (or the city for a district)."""
    from zhili.core.notify import notify
    from zhili.org.models import RoleGrant

    codes = [c for c in risk.area_path.split("/") if c]
    target_code = codes[1] if len(codes) > 2 else codes[0]  # the district above a street's risk
    target = Area.objects.get(code=target_code)
    Risk.objects.filter(pk=risk.pk).update(escalated_to=target)
    risk.escalated_to = target
    officers = [
        g.user
        for g in RoleGrant.objects.filter(
            area__code__in=codes[: codes.index(target_code) + 1]
        ).select_related("user", "role")
        if _grant_allows(g, "risks.risk.assess")
    ]
    notify(
        recipients=officers,
        kind="risk_escalated",
        title=f"{risk.get_level_display()}风险上报：{risk.title}",
        body=f"{risk.area.name} {risk.address}",
        url=f"/risks/{risk.number}/",
        obj=risk,
        dedupe_key=f"risk-escalate-{risk.pk}-{risk.level}",
    )
    _event(risk, actor, "escalate", data={"to": target.code, "level": risk.level})


def _grant_allows(grant: Any, perm: str) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(perm, p) for p in grant.role.permissions)


@transaction.atomic
def risk_assign(*, actor: Any, risk: Risk, person: Any, unit: Any) -> Risk:
    """定人、定责."""
    _require(actor, "change", risk)
    if person is None or unit is None:
        raise ValidationFailed("须指定责任人和责任单位", code="owner_required")
    Risk.objects.filter(pk=risk.pk).update(
        responsible_person=person, responsible_unit=unit, version=F("version") + 1
    )
    risk.refresh_from_db()
    _event(risk, actor, "assign", data={"person": person.username, "unit": unit.name})
    return risk


@transaction.atomic
def measure_add(*, actor: Any, risk: Risk, text: str, owner: Any, due: dt.date) -> Measure:
    """定措施."""
    _require(actor, "change", risk)
    if owner is None:
        raise ValidationFailed("须指定措施负责人", code="owner_required")
    if due < timezone.localdate():
        raise ValidationFailed("完成时限不能早于今天", code="invalid_due")
    measure = Measure.objects.create(risk=risk, text=_text(text, "措施", 300), owner=owner, due=due)
    _event(
        risk,
        actor,
        "measure",
        data={"text": measure.text, "owner": owner.username, "due": due.isoformat()},
    )
    return measure


@transaction.atomic
def measure_done(*, actor: Any, measure: Measure) -> Measure:
    _require(actor, "change", measure.risk)
    if measure.done_at is None:
        Measure.objects.filter(pk=measure.pk).update(done_at=timezone.now())
        _event(measure.risk, actor, "measure_done", data={"text": measure.text})
    measure.refresh_from_db()
    return measure


@transaction.atomic
def risk_close(
    *, actor: Any, risk: Risk, final_rating: str, note: str, attachments: list[Any] | None = None
) -> Risk:
    """销号 with evidence and a final rating."""
    _require(actor, "close", risk)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != Status.OPEN:
        raise Conflict(
            f"风险当前为“{risk.get_status_display()}”，不能销号", code="illegal_transition"
        )
    if final_rating not in Level.values:
        raise ValidationFailed("请给出销号时的风险等级", code="invalid_level")
    note = _text(note, "销号依据", 2000)
    if not attachments:
        raise ValidationFailed("销号须上传化解或管控到位的佐证材料", code="evidence_required")
    if risk.measures.filter(done_at__isnull=True).exists():
        raise ValidationFailed("尚有未完成的管控措施，不能销号", code="measures_open")
    Risk.objects.filter(pk=risk.pk).update(
        status=Status.CLOSED,
        final_rating=final_rating,
        closed_at=timezone.now(),
        version=F("version") + 1,
    )
    risk.refresh_from_db()
    _event(
        risk,
        actor,
        "close",
        note=note,
        data={"final_rating": final_rating},
        attachments=attachments,
    )
    return risk


@transaction.atomic
def risk_reopen(*, actor: Any, risk: Risk, reason: str) -> Risk:
    _require(actor, "assess", risk)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status == Status.OPEN:
        raise Conflict("风险正在管控中", code="illegal_transition")
    reason = _text(reason, "重新打开理由", 1000)
    Risk.objects.filter(pk=risk.pk).update(
        status=Status.OPEN,
        closed_at=None,
        final_rating="",
        acceptance_reason="",
        acceptance_by=None,
        acceptance_expires=None,
        version=F("version") + 1,
    )
    risk.refresh_from_db()
    _event(risk, actor, "reopen", note=reason)
    return risk


@transaction.atomic
def risk_accept(*, actor: Any, risk: Risk, reason: str, expires: dt.date) -> Risk:
    """正式接受 a residual risk: approver, reason and an expiry after which it is reviewed again."""
    _require(actor, "accept", risk)
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != Status.OPEN:
        raise Conflict("只有管控中的风险可以接受", code="illegal_transition")
    if risk.level == Level.RED:
        raise ValidationFailed("红色（重大）风险不能接受，须处置", code="red_not_acceptable")
    reason = _text(reason, "接受理由", 1000)
    if expires <= timezone.localdate() or expires > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationFailed("接受有效期须在今后一年之内", code="invalid_expiry")
    Risk.objects.filter(pk=risk.pk).update(
        status=Status.ACCEPTED,
        acceptance_reason=reason,
        acceptance_by=actor,
        acceptance_expires=expires,
        version=F("version") + 1,
    )
    risk.refresh_from_db()
    _event(risk, actor, "accept", note=reason, data={"expires": expires.isoformat()})
    return risk


@transaction.atomic
def candidate_dismiss(*, actor: Any, candidate: RiskCandidate, note: str) -> RiskCandidate:
    if not RiskCandidate.objects.visible_to(actor, "change").filter(pk=candidate.pk).exists():
        raise NotFound("风险线索不存在或不在您的管辖范围内")
    if candidate.status != CandidateStatus.PROPOSED:
        raise Conflict("该线索已处理", code="illegal_transition")
    note = _text(note, "排除理由", 1000)
    RiskCandidate.objects.filter(pk=candidate.pk).update(
        status=CandidateStatus.DISMISSED, decided_by=actor, decision_note=note
    )
    candidate.refresh_from_db()
    audit_record(
        actor=actor,
        action="risk.candidate_dismiss",
        obj=candidate,
        area_path=candidate.area_path,
        note=note,
    )
    return candidate


@transaction.atomic
def risk_reveal_personal(*, actor: Any, risk: Risk) -> list[dict[str, str]]:
    """Unmasked ID numbers and phones of the people of a risk; every view is audited."""
    if not can(actor, "view_personal", Risk, risk.area_path):
        raise PermissionDenied("您没有查看个人信息的权限")
    audit_record(actor=actor, action="risk.view_personal", obj=risk, area_path=risk.area_path)
    return [
        {"name": e.name, "id_number": e.id_number, "phone": e.phone}
        for e in risk.elements.filter(kind=ElementKind.PERSON)
    ]


@transaction.atomic
def policy_update(
    *, actor: Any, level: str, handle_days: int, review_days: int, escalate: bool
) -> LevelPolicy:
    """分级管控规则: handling limit, review cadence and automatic escalation for one level."""
    if not can(actor, "change", LevelPolicy, f"{_root()}/"):
        raise PermissionDenied("分级管控规则由市级管理员维护")
    if not (1 <= handle_days <= 365 and 1 <= review_days <= 365):
        raise ValidationFailed("天数须在 1 到 365 之间", code="out_of_range")
    policy = LevelPolicy.objects.select_for_update().filter(level=level).first()
    if policy is None:
        raise NotFound("没有该等级", code="no_policy")
    before = {
        "handle_days": policy.handle_days,
        "review_days": policy.review_days,
        "escalate": policy.escalate,
    }
    policy.handle_days, policy.review_days, policy.escalate = handle_days, review_days, escalate
    policy.save()
    audit_record(
        actor=actor,
        action="risk.policy_update",
        obj=policy,
        area_path=f"{_root()}/",
        before=before,
        after={"handle_days": handle_days, "review_days": review_days, "escalate": escalate},
    )
    return policy
