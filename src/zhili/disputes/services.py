"""Every write to a dispute case: register, assign a mediator (conflicts refused), sessions,
extension (once, ≤ 30 days, on the parties' request), agreement or failure, judicial confirmation
within 30 days, closure and the follow-up visit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.scoping import can
from zhili.core.validation import clean_text, next_in_sequence
from zhili.disputes.models import (
    COURT_CHANNELS,
    Channel,
    Dispute,
    DisputeCounter,
    DisputeEvent,
    Party,
    PartyRole,
    Session,
    Status,
)
from zhili.org.models import UnitType

DEFAULT_DAYS = int(getattr(settings, "ZHILI_DISPUTE_DAYS", 30))  # 人民调解一般一个月内
COURT_DAYS = 30
MAX_EXTENSION_DAYS = 30
CONFIRMATION_DAYS = 30
FOLLOW_UP_DAYS = int(getattr(settings, "ZHILI_DISPUTE_FOLLOW_UP_DAYS", 15))
RETURN_TO = {
    Channel.COURT_ASSIGNED: "人民法院（转入诉讼程序）",
    Channel.COURT_ENTRUSTED: "人民法院（恢复审理）",
    Channel.POLICE: "公安派出所（依法处理）",
    Channel.PETITION: "信访部门（按信访程序办理）",
}


def _text(value: str | None, label: str, limit: int = 0, required: bool = True) -> str:
    return clean_text(value, label, limit=limit, required=required)


def _event(
    d: Dispute,
    actor: Any,
    action: str,
    before: str,
    note: str = "",
    data: dict | None = None,
    at: dt.datetime | None = None,
) -> None:
    DisputeEvent.objects.create(
        dispute=d,
        action=action,
        from_status=before,
        to_status=d.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        at=at or timezone.now(),
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"dispute.{action}",
        obj=d,
        area_path=d.area_path,
        before={"status": before},
        after={"status": d.status, **(data or {})},
        note=note,
    )


def _lock(
    actor: Any, dispute: Dispute, action: str, sources: tuple[str, ...], label: str
) -> Dispute:
    if not Dispute.objects.visible_to(actor).filter(pk=dispute.pk).exists():
        raise NotFound("纠纷案件不存在或不在您的管辖范围内", code="dispute_not_found")
    d = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if d.status not in sources:
        raise Conflict(
            f"案件当前为“{d.get_status_display()}”，不能{label}",
            code="illegal_transition",
            detail={"status": d.status},
        )
    is_mediator = d.mediator_id is not None and d.mediator_id == getattr(actor, "pk", None)
    if not (can(actor, action, Dispute, d.area_path) or (action == "mediate" and is_mediator)):
        raise PermissionDenied(f"没有{label}的权限")
    return d


def _number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    return f"TJ{year}{next_in_sequence(DisputeCounter, year=year):06d}"


def _parties(rows: list[dict[str, Any]]) -> list[Party]:
    out = []
    for r in rows:
        name = (r.get("name") or "").strip()
        if not name:
            continue
        role = r.get("role") or PartyRole.APPLICANT
        if role not in PartyRole.values:
            raise ValidationFailed("当事人身份无效", code="invalid_party")
        out.append(
            Party(
                role=role,
                name=name[:100],
                is_organisation=bool(r.get("is_organisation")),
                id_number=(r.get("id_number") or "").strip()[:32],
                phone=(r.get("phone") or "").strip()[:32],
                address=(r.get("address") or "").strip()[:200],
            )
        )
    roles = {p.role for p in out}
    if PartyRole.APPLICANT not in roles or PartyRole.RESPONDENT not in roles:
        raise ValidationFailed("纠纷须至少有一名申请人和一名被申请人", code="parties_required")
    return out


@transaction.atomic
def dispute_register(
    *,
    actor: Any,
    channel: str,
    subject: str,
    facts: str,
    area: Area | None,
    parties: list[dict[str, Any]],
    amount: Any = None,
    referral_no: str = "",
    referring_unit: Any = None,
    matter: Any = None,
    litigation_involved: bool = False,
    received_at: dt.datetime | None = None,
) -> Dispute:
    if channel not in Channel.values:
        raise ValidationFailed("案件来源无效", code="invalid_channel")
    if channel in COURT_CHANNELS and not (referral_no or "").strip():
        raise ValidationFailed("法院委派/委托的案件须填写法院文书号", code="referral_required")
    if channel == Channel.PETITION and litigation_involved:
        raise ValidationFailed(
            "已进入诉讼、复议或检察程序的事项不能访调对接", code="petition_excluded"
        )
    if channel == Channel.MATTER and matter is None:
        raise ValidationFailed("须关联来源诉求", code="matter_required")
    if area is None or not area.is_current or area.level in (AreaLevel.CITY, AreaLevel.DISTRICT):
        raise ValidationFailed("请选择纠纷发生的街道、社区或网格", code="area_required")
    if not can(actor, "add", Dispute, area.path):
        raise PermissionDenied("您不能在该区域登记纠纷")
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount))
        except InvalidOperation as exc:
            raise ValidationFailed("涉及金额须为数字", code="invalid_amount") from exc
        if amount < 0:
            raise ValidationFailed("涉及金额不能为负数", code="invalid_amount")
    else:
        amount = None
    rows = _parties(parties)
    now = received_at or timezone.now()
    days = COURT_DAYS if channel in COURT_CHANNELS else DEFAULT_DAYS
    d = Dispute.objects.create(
        number=_number(now),
        channel=channel,
        subject=_text(subject, "纠纷事由", 200),
        facts=_text(facts, "基本情况", 4000),
        amount=amount,
        area=area,
        area_path=area.path,
        referral_no=(referral_no or "").strip()[:60],
        referring_unit=referring_unit,
        matter=matter,
        received_at=now,
        due_at=now + dt.timedelta(days=days),
        created_by=actor,
    )
    for p in rows:
        p.dispute = d
    Party.objects.bulk_create(rows)
    _event(d, actor, "register", "", data={"channel": channel, "days": days}, at=now)
    return d


def _conflict_of_interest(d: Dispute, mediator: Any) -> str | None:
    name = (mediator.full_name or "").strip()
    for p in d.parties.all():
        if p.related_staff.filter(pk=mediator.pk).exists():
            return f"调解员 {mediator.display_name} 与当事人 {p.name} 有亲属或利害关系，应当回避"
        same_name = bool(name) and p.name == name
        same_phone = bool(mediator.phone) and p.phone == mediator.phone
        if same_phone or (same_name and (not p.phone or not mediator.phone)):
            return f"调解员 {mediator.display_name} 是本案当事人，应当回避"
    return None


@transaction.atomic
def dispute_assign(*, actor: Any, dispute: Dispute, committee: Any, mediator: Any) -> Dispute:
    """Route to a mediation committee and a mediator; a mediator who is a party or related is refused."""
    d = _lock(actor, dispute, "change", (Status.REGISTERED, Status.MEDIATING), "指派调解员")
    if committee is None or committee.type != UnitType.MEDIATION_COMMITTEE:
        raise ValidationFailed("请选择人民调解委员会", code="committee_required")
    if mediator is None or not mediator.is_active:
        raise ValidationFailed("请选择调解员", code="mediator_required")
    conflict = _conflict_of_interest(d, mediator)
    if conflict:
        raise ValidationFailed(conflict, code="mediator_conflict")
    before = d.status
    d.committee, d.mediator, d.status = committee, mediator, Status.MEDIATING
    d.version += 1
    d.save()
    _event(
        d,
        actor,
        "assign",
        before,
        data={"committee": committee.name, "mediator": mediator.username},
    )
    return d


@transaction.atomic
def session_add(
    *, actor: Any, dispute: Dispute, at: dt.datetime, notes: str, place: str = ""
) -> Session:
    d = _lock(actor, dispute, "mediate", (Status.MEDIATING,), "记录调解")
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed("调解时间不能晚于现在", code="invalid_time")
    s = Session.objects.create(
        dispute=d,
        at=at,
        place=place.strip()[:200],
        notes=_text(notes, "调解记录", 8000),
        mediator=actor,
    )
    _event(d, actor, "session", d.status, data={"session": s.pk})
    return s


@transaction.atomic
def dispute_extend(
    *, actor: Any, dispute: Dispute, days: int, parties_request: bool, note: str = ""
) -> Dispute:
    """Court cases: once, by at most 30 days, on the parties' request."""
    d = _lock(actor, dispute, "mediate", (Status.REGISTERED, Status.MEDIATING), "延长调解期限")
    if not parties_request:
        raise ValidationFailed("延长调解期限须经双方当事人申请", code="parties_request_required")
    if d.extended_days:
        raise ValidationFailed("调解期限只能延长一次", code="extension_once")
    if not 1 <= int(days) <= MAX_EXTENSION_DAYS:
        raise ValidationFailed(
            f"延长天数须在 1 到 {MAX_EXTENSION_DAYS} 天之间", code="extension_too_long"
        )
    d.extended_days = int(days)
    d.due_at = d.due_at + dt.timedelta(days=int(days))
    d.version += 1
    d.save()
    _event(d, actor, "extend", d.status, note=note, data={"days": int(days)})
    return d


@transaction.atomic
def dispute_agree(*, actor: Any, dispute: Dispute, agreement: str) -> Dispute:
    d = _lock(actor, dispute, "mediate", (Status.MEDIATING,), "达成协议")
    if not d.sessions.exists():
        raise ValidationFailed("请先记录至少一次调解", code="session_required")
    before = d.status
    now = timezone.now()
    d.agreement_text = _text(agreement, "协议内容", 8000)
    d.status, d.agreed_at = Status.AGREED, now
    d.confirmation_due = timezone.localtime(now).date() + dt.timedelta(days=CONFIRMATION_DAYS)
    d.version += 1
    d.save()
    _event(d, actor, "agree", before)
    return d


@transaction.atomic
def dispute_fail(*, actor: Any, dispute: Dispute, reason: str) -> Dispute:
    """调解不成: back to the court, police or petition office with the record."""
    d = _lock(actor, dispute, "mediate", (Status.REGISTERED, Status.MEDIATING), "终止调解")
    before = d.status
    now = timezone.now()
    d.failure_reason = _text(reason, "调解不成的原因", 2000)
    d.returned_to = RETURN_TO.get(Channel(d.channel), "告知当事人通过诉讼等途径解决")
    d.status, d.closed_at = Status.FAILED, now
    d.follow_up_due = timezone.localtime(now).date() + dt.timedelta(days=FOLLOW_UP_DAYS)
    d.version += 1
    d.save()
    _event(d, actor, "fail", before, note=d.failure_reason, data={"returned_to": d.returned_to})
    return d


@transaction.atomic
def dispute_confirm(*, actor: Any, dispute: Dispute, confirmed_on: dt.date) -> Dispute:
    """司法确认 recorded; the parties must apply within 30 days of the agreement."""
    d = _lock(actor, dispute, "mediate", (Status.AGREED,), "记录司法确认")
    if d.agreed_at and confirmed_on < timezone.localtime(d.agreed_at).date():
        raise ValidationFailed("司法确认不能早于协议日期", code="invalid_date")
    if d.confirmation_due and confirmed_on > d.confirmation_due:
        raise ValidationFailed("已超过协议生效后 30 日的司法确认申请期限", code="confirmation_late")
    d.confirmed_at = timezone.make_aware(dt.datetime.combine(confirmed_on, dt.time(12)))
    d.version += 1
    d.save()
    _event(d, actor, "confirm", d.status, data={"on": confirmed_on.isoformat()})
    return d


@transaction.atomic
def dispute_close(*, actor: Any, dispute: Dispute, note: str = "") -> Dispute:
    d = _lock(actor, dispute, "mediate", (Status.AGREED,), "结案")
    before = d.status
    now = timezone.now()
    d.status, d.closed_at = Status.CLOSED, now
    d.follow_up_due = timezone.localtime(now).date() + dt.timedelta(days=FOLLOW_UP_DAYS)
    d.version += 1
    d.save()
    _event(d, actor, "close", before, note=note)
    return d


@transaction.atomic
def dispute_follow_up(*, actor: Any, dispute: Dispute, note: str) -> Dispute:
    d = _lock(actor, dispute, "mediate", (Status.CLOSED, Status.FAILED), "回访")
    d.follow_up_note = _text(note, "回访情况", 2000)
    d.followed_up_at = timezone.now()
    d.version += 1
    d.save()
    _event(d, actor, "follow_up", d.status, note=d.follow_up_note)
    return d


@transaction.atomic
def dispute_flag_escalation(*, actor: Any, dispute: Dispute, note: str) -> Any:
    """Signs of escalation (threats, group gathering, ...): a risk candidate for an officer to judge."""
    from zhili.risks.hotspots import propose_from_dispute

    d = _lock(
        actor,
        dispute,
        "mediate",
        (Status.REGISTERED, Status.MEDIATING, Status.AGREED, Status.FAILED),
        "标记激化迹象",
    )
    d.escalation_signs = True
    d.version += 1
    d.save()
    _event(d, actor, "escalation", d.status, note=_text(note, "激化迹象", 1000))
    return propose_from_dispute(d)
