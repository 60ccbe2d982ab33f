"""Every write of the compounds registry and its joint meetings (五方联席会 / 三方联动).

Rules that live here: a compound sits in a community or grid; a meeting has at least two parties,
its cost shares are not negative and sum exactly to the total (``check_shares``); attendees and
follow-up owners are parties of the meeting; a follow-up moves open → done through ``WORKFLOW``;
a meeting is linked to the matters it resolves (core.related shows the link both ways)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.compounds.models import (
    Attendee,
    Compound,
    Coverage,
    FollowUp,
    Meeting,
    MeetingKind,
    Party,
    PartyRole,
)
from zhili.compounds.workflow import WORKFLOW
from zhili.core.audit import audit_record, snapshot
from zhili.core.errors import Conflict, ValidationFailed
from zhili.core.scoping import require, require_at
from zhili.core.validation import clean_text

AREA_LEVELS = (Level.COMMUNITY, Level.GRID)
CENT = Decimal("0.01")

# The parties each kind of meeting starts from (DOMAIN.md §3: assumed, configurable through
# ZHILI_MEETING_PARTIES); a meeting may add or drop any party.
DEFAULT_PARTIES: dict[str, list[str]] = {
    MeetingKind.FIVE_PARTY: [
        PartyRole.PARTY_ORG,
        PartyRole.COMMUNITY,
        PartyRole.OWNERS,
        PartyRole.PROPERTY,
        PartyRole.POLICE,
    ],
    MeetingKind.THREE_PARTY: [
        PartyRole.PARTY_ORG,
        PartyRole.COMMUNITY,
        PartyRole.OWNERS,
        PartyRole.PROPERTY,
    ],
    MeetingKind.OTHER: [PartyRole.COMMUNITY],
}


def default_parties(kind: str) -> list[str]:
    configured = getattr(settings, "ZHILI_MEETING_PARTIES", None) or {}
    return list(configured.get(kind) or DEFAULT_PARTIES.get(kind, []))


def _money(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(
            gettext("%(label)s不是有效的金额") % {"label": label}, code="invalid_amount"
        ) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(
            gettext("%(label)s不能为负数") % {"label": label}, code="invalid_amount"
        )
    if amount != amount.quantize(CENT):
        raise ValidationFailed(
            gettext("%(label)s最多保留两位小数") % {"label": label}, code="invalid_amount"
        )
    return amount.quantize(CENT)


def check_shares(total: Any, shares: list[Any]) -> tuple[Decimal, list[Decimal]]:
    """The total and each party's share as money; the shares must sum exactly to the total."""
    amount = _money(total, gettext("费用合计"))
    parts = [
        _money(s, gettext("第 %(n)s 方的分摊金额") % {"n": i + 1}) for i, s in enumerate(shares)
    ]
    if sum(parts, Decimal(0)) != amount:
        raise ValidationFailed(
            gettext("各方分摊合计 %(parts)s 元，与费用合计 %(amount)s 元不符")
            % {"parts": sum(parts, Decimal(0)), "amount": amount},
            code="shares_mismatch",
            detail={"total": str(amount), "shares": [str(p) for p in parts]},
        )
    return amount, parts


def _area(area: Area | None) -> Area:
    if area is None:
        raise ValidationFailed(gettext("请选择所属社区或网格"), code="area_required")
    if not area.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，请选择现行区域") % {"name": area.name}, code="area_ended"
        )
    if area.level not in AREA_LEVELS:
        raise ValidationFailed(gettext("小区须登记在社区或网格下"), code="invalid_area")
    return area


def _compound_fields(d: dict[str, Any]) -> dict[str, Any]:
    coverage = d.get("coverage")
    if coverage not in Coverage.values:
        raise ValidationFailed(gettext("请选择物业服务情况"), code="invalid_coverage")
    company = clean_text(
        d.get("property_company"), gettext("物业服务企业"), required=False, limit=120
    )
    if coverage == Coverage.COMPANY and not company:
        raise ValidationFailed(
            gettext("由物业公司服务的小区须填写物业服务企业"), code="company_required"
        )
    year = d.get("built_year")
    if year is not None and not (1900 <= int(year) <= timezone.localdate().year):
        raise ValidationFailed(gettext("建成年份无效"), code="invalid_year")
    return {
        "name": clean_text(d.get("name"), gettext("小区名称"), limit=120),
        "address": clean_text(d.get("address"), gettext("地址"), required=False, limit=200),
        "built_year": year,
        "households": d.get("households"),
        "coverage": coverage,
        "property_company": company if coverage == Coverage.COMPANY else "",
        "has_owners_committee": bool(d.get("has_owners_committee")),
        "note": clean_text(d.get("note"), gettext("备注"), required=False, limit=2000),
    }


@transaction.atomic
def compound_create(*, actor: Any, area: Area | None, **fields: Any) -> Compound:
    area = _area(area)
    require_at(actor, "add", Compound, area.path, noun=gettext("老旧小区"))
    data = _compound_fields(fields)
    if Compound.objects.filter(area=area, name=data["name"]).exists():
        raise ValidationFailed(
            gettext("%(name)s 已登记同名小区“%(compound)s”")
            % {"name": area.name, "compound": data["name"]},
            code="duplicate",
        )
    compound = Compound.objects.create(area=area, area_path=area.path, **data)
    audit_record(
        actor=actor,
        action="compound.create",
        obj=compound,
        area_path=area.path,
        after=snapshot(compound),
    )
    return compound


@transaction.atomic
def compound_update(*, actor: Any, compound: Compound, **fields: Any) -> Compound:
    require(actor, "change", compound, noun=gettext("老旧小区"))
    before = snapshot(compound)
    merged = {**before, **fields}
    for key, value in _compound_fields(merged).items():
        setattr(compound, key, value)
    compound.save()
    audit_record(
        actor=actor,
        action="compound.update",
        obj=compound,
        area_path=compound.area_path,
        before=before,
        after=snapshot(compound),
    )
    return compound


def _parties(parties: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for i, p in enumerate(parties):
        role = p.get("role")
        if role not in PartyRole.values:
            raise ValidationFailed(
                gettext("第 %(n)s 个参会方的类型无效") % {"n": i + 1}, code="invalid_party"
            )
        name = clean_text(
            p.get("name"), gettext("第 %(n)s 个参会方的单位名称") % {"n": i + 1}, limit=120
        )
        out.append((role, name))
    if len(out) < 2:
        raise ValidationFailed(gettext("联席会议至少有两个参会方"), code="too_few_parties")
    return out


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    compound: Compound,
    kind: str,
    held_on: dt.date | None,
    topic: str,
    decisions: str,
    parties: list[dict[str, Any]],
    total_cost: Any = 0,
    agenda: str = "",
    place: str = "",
    attendees: list[dict[str, Any]] | None = None,
    followups: list[dict[str, Any]] | None = None,
    matters: list[Any] | None = None,
) -> Meeting:
    """Record a joint meeting held for a compound. ``attendees`` and ``followups`` name their
    party by its position in ``parties`` (``{"party": 0, ...}`` / ``{"owner": 2, ...}``)."""
    require(actor, "view", compound, noun=gettext("老旧小区"))
    require_at(actor, "add", Meeting, compound.area_path, noun=gettext("联席会议"))
    if kind not in MeetingKind.values:
        raise ValidationFailed(gettext("会议类型无效"), code="invalid_kind")
    if held_on is None or held_on > timezone.localdate():
        raise ValidationFailed(
            gettext("请填写已召开会议的日期（不能晚于今天）"), code="invalid_date"
        )
    roles = _parties(parties)
    total, shares = check_shares(total_cost, [p.get("share") for p in parties])
    meeting = Meeting.objects.create(
        compound=compound,
        area_path=compound.area_path,
        kind=kind,
        held_on=held_on,
        place=clean_text(place, gettext("地点"), required=False, limit=120),
        topic=clean_text(topic, gettext("议题"), limit=200),
        agenda=clean_text(agenda, gettext("议程"), required=False, limit=4000),
        decisions=clean_text(decisions, gettext("议定事项"), limit=4000),
        total_cost=total,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    made = [
        Party.objects.create(meeting=meeting, role=role, name=name, share=share)
        for (role, name), share in zip(roles, shares, strict=True)
    ]
    for a in attendees or []:
        party = _party_at(made, a.get("party"), gettext("参会人员"))
        name = clean_text(a.get("name"), gettext("参会人员姓名"), limit=64)
        post = clean_text(a.get("post"), gettext("职务"), required=False, limit=64)
        Attendee.objects.create(meeting=meeting, party=party, name=name, post=post)
    for m in matters or []:
        meeting.matters.add(m)
    audit_record(
        actor=actor,
        action="meeting.create",
        obj=meeting,
        area_path=meeting.area_path,
        after={
            "kind": kind,
            "compound": compound.name,
            "parties": [p.name for p in made],
            "shares": [str(p.share) for p in made],
            "total_cost": str(total),
            "attendees": len(attendees or []),
        },
    )
    for t in followups or []:
        followup_add(
            actor=actor,
            meeting=meeting,
            text=t.get("text", ""),
            owner=_party_at(made, t.get("owner"), gettext("任务责任方")),
            due=t.get("due"),
        )
    return meeting


def _party_at(parties: list[Party], index: Any, what: str) -> Party:
    try:
        return parties[int(index)]
    except (TypeError, ValueError, IndexError) as exc:
        raise ValidationFailed(
            gettext("%(what)s须是本次会议的参会方") % {"what": what}, code="invalid_party"
        ) from exc


@transaction.atomic
def meeting_link_matter(*, actor: Any, meeting: Meeting, matter: Any) -> Meeting:
    """Link a matter the meeting resolves (the caller found it through the matters selector)."""
    require(actor, "change", meeting, noun=gettext("联席会议"))
    if meeting.matters.filter(pk=matter.pk).exists():
        raise Conflict(
            gettext("诉求 %(number)s 已关联") % {"number": matter.number}, code="already_linked"
        )
    meeting.matters.add(matter)
    audit_record(
        actor=actor,
        action="meeting.link_matter",
        obj=meeting,
        area_path=meeting.area_path,
        after={"matter": matter.number},
    )
    return meeting


@transaction.atomic
def followup_add(
    *, actor: Any, meeting: Meeting, text: str, owner: Party, due: dt.date | None
) -> FollowUp:
    require_at(actor, "add", FollowUp, meeting.area_path, noun=gettext("会议任务"))
    if owner.meeting_id != meeting.pk:
        raise ValidationFailed(gettext("任务责任方须是本次会议的参会方"), code="invalid_party")
    if due is None:
        raise ValidationFailed(gettext("请填写完成时限"), code="due_required")
    if due < meeting.held_on:
        raise ValidationFailed(gettext("完成时限不能早于会议日期"), code="invalid_due")
    followup = FollowUp.objects.create(
        meeting=meeting,
        area_path=meeting.area_path,
        text=clean_text(text, gettext("任务"), limit=300),
        owner=owner,
        due=due,
    )
    WORKFLOW.record(
        actor=actor,
        obj=followup,
        action="create",
        before="",
        data={"owner": owner.name, "due": str(due)},
    )
    return followup


@transaction.atomic
def followup_complete(
    *, actor: Any, followup: FollowUp, result: str, version: int | None = None
) -> FollowUp:
    text = clean_text(result, gettext("完成情况"), limit=2000)

    def apply(f: FollowUp, now: dt.datetime) -> None:
        f.result = text
        f.done_at = now

    return WORKFLOW.transition(
        actor=actor,
        obj=followup,
        action="complete",
        apply=apply,
        data={"result": text[:100]},
        version=version,
    )


@transaction.atomic
def followup_reopen(
    *, actor: Any, followup: FollowUp, reason: str, version: int | None = None
) -> FollowUp:
    note = clean_text(reason, gettext("重新打开的原因"), limit=500)

    def apply(f: FollowUp, now: dt.datetime) -> None:
        f.done_at = None

    return WORKFLOW.transition(
        actor=actor, obj=followup, action="reopen", apply=apply, note=note, version=version
    )
