"""Every write to a dispute case: register, assign a mediator (conflicts refused), sessions,
extension (once, ≤ 30 days, on the parties' request), agreement or failure, judicial confirmation
within 30 days, closure and the follow-up visit; and the audited reveal of the parties' data.

Every step after registration is a ``WORKFLOW.transition`` (``disputes/workflow.py``): lock, 404
out of scope, 409 on a stale ``version`` or a wrong state, 403 without the right or when the actor
must recuse, then the step, the event and the audit record, in one transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from zhili.areas.models import Area
from zhili.areas.models import Level as AreaLevel
from zhili.core import privacy, tunables
from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.core.privacy import personal_phone, personal_value
from zhili.core.scoping import can
from zhili.core.validation import clean_text, next_in_sequence
from zhili.disputes.models import (
    COURT_CHANNELS,
    Channel,
    Dispute,
    DisputeCounter,
    Party,
    PartyRole,
    Session,
)
from zhili.disputes.workflow import WORKFLOW, relation_to_parties
from zhili.org.models import MEDIATION_COMMITTEE_SIZE, UnitType
from zhili.org.selectors import committee_members


def days_of(name: str) -> int:
    """A time limit of ``disputes/tunables.py`` as the city set it on 业务参数: ``days`` (人民调解,
    30), ``court_days`` (30), ``court_extension_days`` (30), ``police_hours`` (24),
    ``police_complex_days`` (5), ``confirmation_days`` (30), ``follow_up_days`` (15)."""
    return int(tunables.value(f"disputes.{name}"))


def mediation_limit(channel: str, complex_case: bool) -> tuple[dt.timedelta, dict[str, int]]:
    """The mediation limit by channel (DOMAIN.md §6): 警调对接 24 hours, complex cases 5 days;
    诉调对接 the court's 30 days; otherwise 人民调解's month. Also the event's data."""
    if channel == Channel.POLICE:
        if complex_case:
            n = days_of("police_complex_days")
            return dt.timedelta(days=n), {"days": n}
        h = days_of("police_hours")
        return dt.timedelta(hours=h), {"hours": h}
    n = days_of("court_days") if channel in COURT_CHANNELS else days_of("days")
    return dt.timedelta(days=n), {"days": n}


RETURN_TO = {
    Channel.COURT_ASSIGNED: gettext_noop("人民法院（转入诉讼程序）"),
    Channel.COURT_ENTRUSTED: gettext_noop("人民法院（恢复审理）"),
    Channel.POLICE: gettext_noop("公安派出所（依法处理）"),
    Channel.PETITION: gettext_noop("信访部门（按信访程序办理）"),
}
# Stored in Chinese (the case file's data); pages translate it when they show it.
RETURN_OTHERWISE = gettext_noop("告知当事人通过诉讼等途径解决")


def _text(value: str | None, label: str, limit: int = 0, required: bool = True) -> str:
    return clean_text(value, label, limit=limit, required=required)


def _number(now: dt.datetime) -> str:
    year = timezone.localtime(now).year
    return f"TJ{year}{next_in_sequence(DisputeCounter, year=year):06d}"


def _parties(rows: list[dict[str, Any]]) -> list[Party]:
    out = []
    for r in rows:
        name = personal_value(r.get("name"), gettext("当事人姓名"), 100)
        if not name:
            continue
        role = r.get("role") or PartyRole.APPLICANT
        if role not in PartyRole.values:
            raise ValidationFailed(gettext("当事人身份无效"), code="invalid_party")
        out.append(
            Party(
                role=role,
                name=name,
                is_organisation=bool(r.get("is_organisation")),
                id_number=personal_value(r.get("id_number"), gettext("证件号码"), 32),
                phone=personal_phone(r.get("phone"), gettext("电话号码")),
                address=personal_value(r.get("address"), gettext("住址"), 200),
            )
        )
    roles = {p.role for p in out}
    if PartyRole.APPLICANT not in roles or PartyRole.RESPONDENT not in roles:
        raise ValidationFailed(
            gettext("纠纷须至少有一名申请人和一名被申请人"), code="parties_required"
        )
    return out


def _reporter_as_applicant(actor: Any, matter: Any) -> dict[str, Any]:
    """The source matter's reporter, copied server-side into the applicant: only for an actor who
    may see the reporter unmasked, and audited as a reveal (the page never carries the values)."""
    if matter is None:
        raise ValidationFailed(gettext("须关联来源诉求"), code="matter_required")
    if getattr(matter, "anonymous", False) or not (matter.reporter_name or "").strip():
        raise ValidationFailed(
            gettext("来源诉求为匿名或未留姓名，请填写申请人"), code="reporter_missing"
        )
    if not privacy.may_see(actor, matter):
        raise PermissionDenied(
            gettext("您没有查看该诉求反映人个人信息的权限，不能将其复制为申请人，请填写申请人"),
            code="personal_forbidden",
        )
    [row] = privacy.reveal(
        actor=actor,
        obj=matter,
        rows=[{"name": matter.reporter_name, "phone": matter.reporter_phone}],
        what="登记矛盾纠纷：反映人复制为申请人",
    )
    return {"role": PartyRole.APPLICANT, "name": row["name"], "phone": row["phone"]}


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
    reporter_as_applicant: bool = False,
    litigation_involved: bool = False,
    parties_consent: bool = False,
    complex_case: bool = False,
    received_at: dt.datetime | None = None,
) -> Dispute:
    """登记. With ``reporter_as_applicant`` the source matter's reporter becomes the applicant
    (copied here, never through the page)."""
    if channel not in Channel.values:
        raise ValidationFailed(gettext("案件来源无效"), code="invalid_channel")
    if channel in COURT_CHANNELS and not (referral_no or "").strip():
        raise ValidationFailed(
            gettext("法院委派/委托的案件须填写法院文书号"), code="referral_required"
        )
    if channel == Channel.PETITION and litigation_involved:
        raise ValidationFailed(
            gettext("已进入诉讼、复议或检察程序的事项不能访调对接"), code="petition_excluded"
        )
    if channel == Channel.PETITION and not parties_consent:
        raise ValidationFailed(
            gettext("访调对接须经双方当事人同意调解，请确认并勾选"), code="consent_required"
        )
    if complex_case and channel != Channel.POLICE:
        raise ValidationFailed(
            gettext("“复杂案件”时限只适用于警调对接"), code="complex_police_only"
        )
    if channel == Channel.MATTER and matter is None:
        raise ValidationFailed(gettext("须关联来源诉求"), code="matter_required")
    if area is None or not area.is_current or area.level in (AreaLevel.CITY, AreaLevel.DISTRICT):
        raise ValidationFailed(gettext("请选择纠纷发生的街道、社区或网格"), code="area_required")
    if not can(actor, "add", Dispute, area.path):
        raise PermissionDenied(gettext("您不能在该区域登记纠纷"))
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount))
        except InvalidOperation as exc:
            raise ValidationFailed(gettext("涉及金额须为数字"), code="invalid_amount") from exc
        if amount < 0:
            raise ValidationFailed(gettext("涉及金额不能为负数"), code="invalid_amount")
    else:
        amount = None
    if reporter_as_applicant:
        typed = [p for p in parties if p.get("role") != PartyRole.APPLICANT or p.get("name")]
        parties = [_reporter_as_applicant(actor, matter), *typed]
    rows = _parties(parties)
    now = received_at or timezone.now()
    limit, limit_data = mediation_limit(channel, complex_case)
    d = Dispute.objects.create(
        number=_number(now),
        channel=channel,
        subject=_text(subject, gettext("纠纷事由"), 200),
        facts=_text(facts, gettext("基本情况"), 4000),
        amount=amount,
        area=area,
        area_path=area.path,
        referral_no=(referral_no or "").strip()[:60],
        referring_unit=referring_unit,
        matter=matter,
        received_at=now,
        due_at=now + limit,
        complex_case=complex_case,
        litigation_involved=litigation_involved,
        parties_consent=parties_consent,
        created_by=actor,
    )
    for p in rows:
        p.dispute = d
    Party.objects.bulk_create(rows)
    WORKFLOW.record(
        actor=actor,
        obj=d,
        action="register",
        before="",
        data={
            "channel": channel,
            **limit_data,
            "complex_case": complex_case,
            "parties_consent": parties_consent,
            "litigation_involved": litigation_involved,
        },
        at=now,
    )
    return d


@transaction.atomic
def dispute_assign(
    *, actor: Any, dispute: Dispute, committee: Any, mediator: Any, version: int | None = None
) -> Dispute:
    """Route to a mediation committee and a mediator; a mediator who is a party or related is
    refused (and the actor must not be one either: the workflow's guard)."""

    def apply(d: Dispute, now: dt.datetime) -> None:
        if committee is None or committee.type != UnitType.MEDIATION_COMMITTEE:
            raise ValidationFailed(gettext("请选择人民调解委员会"), code="committee_required")
        if mediator is None or not mediator.is_active:
            raise ValidationFailed(gettext("请选择调解员"), code="mediator_required")
        committee_path = committee.area.path if committee.area_id else ""
        if not committee_path or not d.area_path.startswith(committee_path):
            raise ValidationFailed(
                gettext("%(name)s 不负责纠纷发生地，请选择当地的人民调解委员会")
                % {"name": committee.name},
                code="committee_area",
            )
        if not can(mediator, "mediate", Dispute, d.area_path):
            # Otherwise the case would go to someone who can neither see nor mediate it.
            raise ValidationFailed(
                gettext("%(display_name)s 没有在本辖区调解纠纷的权限，不能指派为调解员")
                % {"display_name": mediator.display_name},
                code="not_a_mediator",
            )
        if mediator.unit_id != committee.pk:
            raise ValidationFailed(
                gettext("%(display_name)s 不是%(name)s的调解员")
                % {"display_name": mediator.display_name, "name": committee.name},
                code="not_a_member",
            )
        fewest, most = MEDIATION_COMMITTEE_SIZE
        members = committee_members(committee)
        if not fewest <= members <= most:  # not (or no longer) lawfully constituted
            raise ValidationFailed(
                gettext("人民调解委员会由委员三至九人组成，%(name)s 现有 %(n)s 人，不能受理")
                % {"name": committee.name, "n": members},
                code="committee_size",
                detail={"members": members, "minimum": fewest, "maximum": most},
            )
        relation = relation_to_parties(d, mediator)
        if relation:
            raise ValidationFailed(
                gettext("调解员 %(display_name)s %(relation)s，应当回避")
                % {"display_name": mediator.display_name, "relation": relation},
                code="mediator_conflict",
            )
        d.committee, d.mediator = committee, mediator

    return WORKFLOW.transition(
        actor=actor,
        obj=dispute,
        action="assign",
        apply=apply,
        version=version,
        data={
            "committee": getattr(committee, "name", ""),
            "mediator": getattr(mediator, "username", ""),
            "mediator_name": getattr(mediator, "display_name", ""),
        },
    )


@transaction.atomic
def session_add(
    *,
    actor: Any,
    dispute: Dispute,
    at: dt.datetime,
    notes: str,
    place: str = "",
    version: int | None = None,
) -> Session:
    made: list[Session] = []
    data: dict[str, Any] = {"at": at.isoformat(), "place": place.strip()[:200]}

    def apply(d: Dispute, now: dt.datetime) -> None:
        if at > now + dt.timedelta(minutes=5):
            raise ValidationFailed(gettext("调解时间不能晚于现在"), code="invalid_time")
        made.append(
            Session.objects.create(
                dispute=d,
                at=at,
                place=data["place"],
                notes=_text(notes, gettext("调解记录"), 8000),
                mediator=actor,
            )
        )
        data["session"] = made[0].pk  # the event is written after the step, with this dict

    WORKFLOW.transition(
        actor=actor, obj=dispute, action="session", apply=apply, version=version, data=data
    )
    return made[0]


@transaction.atomic
def dispute_extend(
    *,
    actor: Any,
    dispute: Dispute,
    days: int,
    parties_request: bool,
    note: str = "",
    version: int | None = None,
) -> Dispute:
    """诉调对接 only: once, by at most 30 days (业务参数), on both parties' request."""
    data: dict[str, Any] = {}

    def apply(d: Dispute, now: dt.datetime) -> None:
        if d.channel not in COURT_CHANNELS:
            raise Conflict(
                gettext("只有诉调对接的案件可以延长调解期限"), code="extension_court_only"
            )
        if not parties_request:
            raise ValidationFailed(
                gettext("延长调解期限须经双方当事人申请"), code="parties_request_required"
            )
        if d.extended_days:
            raise ValidationFailed(gettext("调解期限只能延长一次"), code="extension_once")
        try:
            n = int(days)
        except (TypeError, ValueError) as exc:
            raise ValidationFailed(gettext("延长天数须为整数"), code="extension_too_long") from exc
        most = days_of("court_extension_days")
        if not 1 <= n <= most:
            raise ValidationFailed(
                gettext("延长天数须在 1 到 %(most)s 天之间") % {"most": most},
                code="extension_too_long",
            )
        d.extended_days = n
        d.due_at = d.due_at + dt.timedelta(days=n)
        data.update(days=n, due=timezone.localtime(d.due_at).date().isoformat())

    return WORKFLOW.transition(
        actor=actor,
        obj=dispute,
        action="extend",
        apply=apply,
        version=version,
        note=(note or "").strip()[:1000],
        data=data,
    )


@transaction.atomic
def dispute_agree(
    *, actor: Any, dispute: Dispute, agreement: str, version: int | None = None
) -> Dispute:
    data: dict[str, Any] = {}

    def apply(d: Dispute, now: dt.datetime) -> None:
        if not d.sessions.exists():
            raise ValidationFailed(gettext("请先记录至少一次调解"), code="session_required")
        d.agreement_text = _text(agreement, gettext("协议内容"), 8000)
        d.agreed_at = now
        d.confirmation_due = timezone.localtime(now).date() + dt.timedelta(
            days=days_of("confirmation_days")
        )
        data["confirmation_due"] = d.confirmation_due.isoformat()

    return WORKFLOW.transition(
        actor=actor, obj=dispute, action="agree", apply=apply, version=version, data=data
    )


@transaction.atomic
def dispute_fail(
    *, actor: Any, dispute: Dispute, reason: str, version: int | None = None
) -> Dispute:
    """调解不成: back to the court, police or petition office with the record."""
    data: dict[str, Any] = {}
    text = (reason or "").strip()[:2000]

    def apply(d: Dispute, now: dt.datetime) -> None:
        d.failure_reason = _text(reason, gettext("调解不成的原因"), 2000)
        d.returned_to = RETURN_TO.get(Channel(d.channel), RETURN_OTHERWISE)
        d.closed_at = now
        d.follow_up_due = timezone.localtime(now).date() + dt.timedelta(
            days=days_of("follow_up_days")
        )
        data["returned_to"] = d.returned_to

    return WORKFLOW.transition(
        actor=actor, obj=dispute, action="fail", apply=apply, version=version, note=text, data=data
    )


@transaction.atomic
def dispute_confirm(
    *,
    actor: Any,
    dispute: Dispute,
    confirmed_on: dt.date,
    applied_on: dt.date | None = None,
    version: int | None = None,
) -> Dispute:
    """司法确认 recorded. The window is met by the parties' application: they must apply within
    30 days (业务参数) of the agreement; the court may confirm later. ``applied_on`` defaults to
    ``confirmed_on`` (applied and confirmed the same day)."""
    applied = applied_on or confirmed_on

    def apply(d: Dispute, now: dt.datetime) -> None:
        agreed = timezone.localtime(d.agreed_at).date() if d.agreed_at else None
        if agreed and applied < agreed:
            raise ValidationFailed(gettext("申请司法确认不能早于协议日期"), code="invalid_date")
        if confirmed_on < applied:
            raise ValidationFailed(gettext("司法确认不能早于当事人申请日期"), code="invalid_date")
        if d.confirmation_due and applied > d.confirmation_due:
            raise ValidationFailed(
                gettext("当事人于 %(applied)s 申请，已超过协议签订后的司法确认申请期限（%(due)s）")
                % {"applied": f"{applied:%Y-%m-%d}", "due": f"{d.confirmation_due:%Y-%m-%d}"},
                code="confirmation_late",
            )
        d.confirmation_applied_on = applied
        d.confirmed_at = timezone.make_aware(dt.datetime.combine(confirmed_on, dt.time(12)))

    return WORKFLOW.transition(
        actor=actor,
        obj=dispute,
        action="confirm",
        apply=apply,
        version=version,
        data={"on": confirmed_on.isoformat(), "applied_on": applied.isoformat()},
    )


@transaction.atomic
def dispute_close(
    *, actor: Any, dispute: Dispute, note: str = "", version: int | None = None
) -> Dispute:
    def apply(d: Dispute, now: dt.datetime) -> None:
        d.closed_at = now
        d.follow_up_due = timezone.localtime(now).date() + dt.timedelta(
            days=days_of("follow_up_days")
        )

    return WORKFLOW.transition(
        actor=actor,
        obj=dispute,
        action="close",
        apply=apply,
        version=version,
        note=(note or "").strip()[:2000],
    )


@transaction.atomic
def dispute_follow_up(
    *, actor: Any, dispute: Dispute, note: str, version: int | None = None
) -> Dispute:
    text = (note or "").strip()[:2000]

    def apply(d: Dispute, now: dt.datetime) -> None:
        d.follow_up_note = _text(note, gettext("回访情况"), 2000)
        d.followed_up_at = now

    return WORKFLOW.transition(
        actor=actor, obj=dispute, action="follow_up", apply=apply, version=version, note=text
    )


@transaction.atomic
def dispute_flag_escalation(
    *, actor: Any, dispute: Dispute, note: str, version: int | None = None
) -> Any:
    """Signs of escalation (threats, group gathering, ...): a risk candidate for an officer to judge."""
    from zhili.risks.hotspots import propose_from_dispute

    text = (note or "").strip()[:1000]
    proposed: list[Any] = []
    data: dict[str, Any] = {}

    def apply(d: Dispute, now: dt.datetime) -> None:
        _text(note, gettext("激化迹象"), 1000)
        d.escalation_signs = True
        proposed.append(propose_from_dispute(d))
        if proposed[0] is not None:
            data["candidate"] = proposed[0].pk  # the event is written after the step

    WORKFLOW.transition(
        actor=actor,
        obj=dispute,
        action="escalation",
        apply=apply,
        version=version,
        note=text,
        data=data,
    )
    return proposed[0]


def dispute_reveal_parties(*, actor: Any, dispute: Dispute) -> list[dict[str, Any]]:
    """The parties' unmasked phone, ID number and address, for an actor holding ``view_personal``
    over the case (404 out of scope, 403 without the right); every reveal is one audit record."""
    rows = [
        {
            "id": str(p.pk),
            "name": p.name,
            "phone": p.phone,
            "id_number": p.id_number,
            "address": p.address,
        }
        for p in dispute.parties.all()
    ]
    return privacy.reveal(actor=actor, obj=dispute, rows=rows, what="纠纷当事人个人信息")
