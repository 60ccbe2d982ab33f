"""Disputes API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status
from pydantic import Field

from zhili.areas.selectors import area_by_code
from zhili.core.errors import ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut, IsoDate, TypedIn
from zhili.disputes import selectors, services
from zhili.disputes.presenters import dispute_out, party_rows
from zhili.disputes.workflow import ACTIONS

router = Router(tags=["disputes"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class DisputePartyIn(Schema):
    role: str = Field(max_length=32)
    name: str = Field(max_length=100)
    is_organisation: bool = False
    id_number: str = Field(default="", max_length=32)
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)


class DisputeIn(TypedIn):
    channel: str = Field(max_length=32)
    subject: str = Field(max_length=200)
    facts: str = Field(max_length=4000)
    area: str = Field(max_length=32)
    parties: list[DisputePartyIn] = Field(max_length=50)
    amount: float | None = None
    referral_no: str = Field(default="", max_length=64)
    matter: str | None = Field(default=None, max_length=32)
    reporter_as_applicant: bool = Field(
        False,
        description="申请人即来源诉求的反映人：由系统从诉求复制（须有查看个人信息的权限，记入审计）",
    )
    litigation_involved: bool = False
    parties_consent: bool = Field(False, description="双方当事人同意调解（访调对接必须）")
    complex_case: bool = Field(False, description="警调对接的复杂案件（时限 5 天而非 24 小时）")


class DisputeActionIn(TypedIn):
    committee: int | None = None
    mediator: str | None = Field(default=None, max_length=150)
    at: dt.datetime | None = None
    notes: str = Field(default="", max_length=4000)
    place: str = Field(default="", max_length=200)
    days: int | None = None
    parties_request: bool = False
    agreement: str = Field(default="", max_length=4000)
    reason: str = Field(default="", max_length=4000)
    confirmed_on: dt.date | None = None
    applied_on: dt.date | None = Field(
        None, description="当事人申请司法确认的日期（缺省同 confirmed_on）；期限按此计算"
    )
    note: str = Field(default="", max_length=4000)
    version: int | None = Field(
        None, description="页面或上次读取时的案件版本号；已被他人更新时答 409"
    )


class DisputeOut(Schema):
    number: str
    channel: str
    channel_label: str
    subject: str
    status: str
    status_label: str
    version: int
    area_code: str
    area_name: str
    amount: str | None
    committee: str | None
    mediator: str | None
    received_at: dt.datetime
    due_at: dt.datetime
    extended_days: int
    agreed_at: dt.datetime | None
    confirmation_due: dt.date | None
    confirmed_at: dt.datetime | None
    closed_at: dt.datetime | None
    returned_to: str
    follow_up_due: dt.date | None
    matter: str | None
    escalation_signs: bool


class DisputePage(Schema):
    items: list[DisputeOut]
    next: str | None


class DisputeActionOut(Schema):
    action: str
    label: str


class DisputePartyOut(Schema):
    role: str
    name: str
    is_organisation: bool
    phone: str
    id_number: str
    address: str


class DisputePartyRevealedOut(DisputePartyOut):
    id: int


class DisputeSessionOut(Schema):
    at: dt.datetime
    place: str
    notes: str
    mediator: str


class DisputeEventOut(Schema):
    action: str
    label: str
    summary: str
    from_status: str
    to_status: str
    to_label: str
    actor: str
    at: dt.datetime
    note: str


class DisputeDetailOut(DisputeOut):
    facts: str
    actions: list[DisputeActionOut]
    parties: list[DisputePartyOut]
    sessions: list[DisputeSessionOut]
    agreement: str
    events: list[DisputeEventOut]
    risks: list[str]


class DisputeStatsRow(Schema):
    name: str
    cases: int
    agreed: int
    failed: int
    success_rate: float | None
    mean_days_to_close: float | None


class DisputeStatsOut(Schema):
    channel: list[DisputeStatsRow]
    district: list[DisputeStatsRow]
    committee: list[DisputeStatsRow]
    mediator: list[DisputeStatsRow]


@router.get("", response={200: DisputePage, **ERRORS}, summary="纠纷案件（按管辖范围）")
def list_disputes(
    request: HttpRequest,
    status: str = "",
    channel: str = "",
    queue: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    qs = selectors.dispute_list(request.user, status=status, channel=channel, queue=queue)
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {"items": [dispute_out(request.user, d) for d in page.items], "next": page.next}


@router.post("", response={201: DisputeOut, **ERRORS}, summary="登记纠纷案件")
def register(request: HttpRequest, payload: DisputeIn) -> Any:
    from zhili.matters.selectors import matter_get

    area = area_by_code(payload.area)
    if area is None:
        raise ValidationFailed(
            gettext("区域 %(area)s 不存在") % {"area": payload.area}, code="area_required"
        )
    d = services.dispute_register(
        actor=request.user,
        channel=payload.channel,
        subject=payload.subject,
        facts=payload.facts,
        area=area,
        parties=[p.dict() for p in payload.parties],
        amount=payload.amount,
        referral_no=payload.referral_no,
        matter=matter_get(request.user, payload.matter) if payload.matter else None,
        reporter_as_applicant=payload.reporter_as_applicant,
        litigation_involved=payload.litigation_involved,
        parties_consent=payload.parties_consent,
        complex_case=payload.complex_case,
    )
    return Status(201, dispute_out(request.user, d))


@router.get(
    "/stats",
    response={200: DisputeStatsOut, **ERRORS},
    summary="调解统计：按来源、区县、调委会、调解员",
)
def stats(request: HttpRequest, since: IsoDate | None = None, until: IsoDate | None = None) -> Any:
    return selectors.stats(request.user, since=since, until=until)


@router.get("/{number}", response={200: DisputeDetailOut, **ERRORS}, summary="一件纠纷案件")
def get_dispute(request: HttpRequest, number: str) -> Any:
    return dispute_out(request.user, selectors.dispute_get(request.user, number), detail=True)


@router.get(
    "/{number}/personal",
    response={200: list[DisputePartyRevealedOut], **ERRORS},
    summary="当事人的完整电话、证件号码和住址（需权限，每次查看都记入审计）",
)
def personal(request: HttpRequest, number: str) -> Any:
    d = selectors.dispute_get(request.user, number)
    revealed = services.dispute_reveal_parties(actor=request.user, dispute=d)
    return [
        {k: v for k, v in row.items() if k not in ("full", "role_label")}
        for row in party_rows(selectors.dispute_parties(d), revealed)
    ]


@router.post(
    "/{number}/actions/{action}",
    response={200: DisputeDetailOut, **ERRORS},
    summary="案件动作：assign, session, extend, agree, fail, confirm, close, follow_up, escalation",
)
def act(request: HttpRequest, number: str, action: str, p: DisputeActionIn) -> Any:
    from zhili.org.selectors import unit_list, user_list

    d = selectors.dispute_get(request.user, number)
    if action not in ACTIONS:
        raise ValidationFailed(
            gettext("未知的动作 %(action)s") % {"action": action},
            code="unknown_action",
            detail={"allowed": list(ACTIONS)},
        )
    user = request.user
    v: dict[str, Any] = {"actor": user, "dispute": d, "version": p.version}
    if action == "assign":
        committee = unit_list(user).filter(pk=p.committee).first() if p.committee else None
        mediator = user_list(user).filter(username=p.mediator or "").first()
        services.dispute_assign(**v, committee=committee, mediator=mediator)
    elif action == "session":
        if p.at is None:
            raise ValidationFailed(gettext("缺少调解时间 at"), code="missing_field")
        services.session_add(**v, at=p.at, notes=p.notes, place=p.place)
    elif action == "extend":
        services.dispute_extend(
            **v, days=p.days or 0, parties_request=p.parties_request, note=p.note
        )
    elif action == "agree":
        services.dispute_agree(**v, agreement=p.agreement)
    elif action == "fail":
        services.dispute_fail(**v, reason=p.reason)
    elif action == "confirm":
        if p.confirmed_on is None:
            raise ValidationFailed(gettext("缺少司法确认日期 confirmed_on"), code="missing_field")
        services.dispute_confirm(**v, confirmed_on=p.confirmed_on, applied_on=p.applied_on)
    elif action == "close":
        services.dispute_close(**v, note=p.note)
    elif action == "follow_up":
        services.dispute_follow_up(**v, note=p.note)
    elif action == "escalation":
        services.dispute_flag_escalation(**v, note=p.note)
    return dispute_out(user, selectors.dispute_get(user, number), detail=True)
