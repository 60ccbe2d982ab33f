"""Risk register API: the same rules as the pages (services), scoped reads (selectors)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import Field

from zhili.areas.selectors import area_by_code
from zhili.core.errors import ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut, TypedIn
from zhili.risks import selectors, services
from zhili.risks.presenters import risk_out, risks_out

router = Router(tags=["risks"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class RiskPersonIn(Schema):
    name: str = Field(max_length=64)
    id_number: str = Field(default="", max_length=32)
    phone: str = Field(default="", max_length=32)
    detail: str = Field(default="", max_length=1000)


class RiskElementIn(Schema):
    kind: str = Field(max_length=32)
    name: str = Field(max_length=200)
    detail: str = Field(default="", max_length=1000)


class RiskIn(TypedIn):
    title: str = Field(max_length=120)
    description: str = Field(max_length=4000)
    category: str = Field(max_length=64)
    source: str = Field(default="manual", max_length=32)
    area: str = Field(max_length=32, description="区域代码（街道、社区、网格或楼栋）")
    address: str = Field(max_length=200)
    persons: list[RiskPersonIn] = Field(default_factory=list, max_length=50)
    elements: list[RiskElementIn] = Field(default_factory=list, max_length=50)
    matter: str | None = Field(default=None, max_length=32, description="来源诉求编号")


VERSION = Field(default=None, description="页面或上次读取时的版本号；已被他人更新时返回 409")


class RiskAssessIn(TypedIn):
    version: int | None = VERSION
    kind: str = Field(default="current", max_length=16)
    likelihood: int
    impact: int
    confidence: str = Field(default="medium", max_length=16)
    stability_tests: dict[str, bool] = Field(default_factory=dict, max_length=50)
    note: str = Field(default="", max_length=4000)


class RiskCloseIn(TypedIn):
    version: int | None = VERSION
    final_rating: str = Field(max_length=16)
    note: str = Field(max_length=4000)
    attachments: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=20
    )


class RiskAcceptIn(TypedIn):
    version: int | None = VERSION
    reason: str = Field(max_length=4000)
    expires: dt.date


class RiskReasonIn(TypedIn):
    version: int | None = VERSION
    reason: str = Field(max_length=4000)


class RiskFilters(Schema):
    status: str = ""
    level: str = ""
    category: str = ""
    area: str = ""
    q: str = ""
    cursor: str | None = None
    limit: int = 50


class RiskOut(Schema):
    number: str
    title: str
    category: str
    source: str
    status: str
    status_label: str
    level: str
    version: int
    area_code: str
    area_name: str
    address: str
    matter: str | None
    dispute: str | None
    responsible_unit: str | None
    handle_due: dt.date | None
    next_review: dt.date | None
    escalated_to: str | None


class RiskPage(Schema):
    items: list[RiskOut]
    next: str | None


class RiskElementOut(Schema):
    kind: str
    name: str
    id_number: str
    phone: str
    detail: str


class RiskAssessmentOut(Schema):
    kind: str
    likelihood: int
    impact: int
    level: str
    confidence: str
    stability_tests: dict[str, bool]
    at: dt.datetime


class RiskMeasureOut(Schema):
    id: int
    text: str
    owner: str
    due: dt.date
    done: bool


class RiskEventOut(Schema):
    action: str
    label: str
    summary: str
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    note: str
    data: dict[str, Any]


class RiskDetailOut(RiskOut):
    description: str
    elements: list[RiskElementOut]
    assessments: list[RiskAssessmentOut]
    measures: list[RiskMeasureOut]
    events: list[RiskEventOut]
    disputes: list[str]
    allowed_actions: list[str]
    can_see_personal: bool


class RiskAssessedOut(Schema):
    level: str
    kind: str
    likelihood: int
    impact: int
    version: int


@router.get("", response={200: RiskPage, **ERRORS}, summary="风险台账（按管辖范围）")
def list_risks(request: HttpRequest, f: Query[RiskFilters]) -> Any:
    qs = selectors.risk_list(
        request.user, selectors.RiskFilters(**f.dict(exclude={"cursor", "limit"}))
    )
    page = keyset_page(qs, order=("-id",), cursor=f.cursor, limit=f.limit)
    return {"items": risks_out(request.user, list(page.items)), "next": page.next}


@router.post("", response={201: RiskOut, **ERRORS}, summary="风险入库（须见人、见事、见地点）")
def register(request: HttpRequest, payload: RiskIn) -> Any:
    from zhili.matters.selectors import matter_get

    area = area_by_code(payload.area)
    if area is None:
        raise ValidationFailed(
            gettext("区域 %(area)s 不存在") % {"area": payload.area}, code="place_required"
        )
    matter = matter_get(request.user, payload.matter) if payload.matter else None
    risk = services.risk_register(
        actor=request.user,
        title=payload.title,
        description=payload.description,
        category=payload.category,
        source=payload.source,
        area=area,
        address=payload.address,
        persons=[p.dict() for p in payload.persons],
        elements=[e.dict() for e in payload.elements],
        matter=matter,
    )
    return Status(201, risk_out(request.user, risk))


@router.get("/{number}", response={200: RiskDetailOut, **ERRORS}, summary="一项风险")
def get_risk(request: HttpRequest, number: str) -> Any:
    return risk_out(request.user, selectors.risk_get(request.user, number), detail=True)


@router.post(
    "/{number}/assessments", response={201: RiskAssessedOut, **ERRORS}, summary="评估（矩阵定级）"
)
def assess(request: HttpRequest, number: str, payload: RiskAssessIn) -> Any:
    risk = selectors.risk_get(request.user, number)
    a = services.risk_assess(actor=request.user, risk=risk, **payload.dict())
    return Status(
        201,
        {
            "level": a.level,
            "kind": a.kind,
            "likelihood": a.likelihood,
            "impact": a.impact,
            "version": a.risk.version,
        },
    )


@router.post("/{number}/close", response={200: RiskOut, **ERRORS}, summary="销号")
def close(request: HttpRequest, number: str, payload: RiskCloseIn) -> Any:
    from zhili.matters.attachments import attachments_by_hash

    risk = selectors.risk_get(request.user, number)
    files = attachments_by_hash(payload.attachments) if payload.attachments else []
    risk = services.risk_close(
        actor=request.user,
        risk=risk,
        final_rating=payload.final_rating,
        note=payload.note,
        attachments=files,
        version=payload.version,
    )
    return risk_out(request.user, risk)


@router.post(
    "/{number}/accept",
    response={200: RiskOut, **ERRORS},
    summary="正式接受（审批人、理由、有效期）",
)
def accept(request: HttpRequest, number: str, payload: RiskAcceptIn) -> Any:
    risk = services.risk_accept(
        actor=request.user,
        risk=selectors.risk_get(request.user, number),
        reason=payload.reason,
        expires=payload.expires,
        version=payload.version,
    )
    return risk_out(request.user, risk)


@router.post("/{number}/reopen", response={200: RiskOut, **ERRORS}, summary="重新打开")
def reopen(request: HttpRequest, number: str, payload: RiskReasonIn) -> Any:
    risk = services.risk_reopen(
        actor=request.user,
        risk=selectors.risk_get(request.user, number),
        reason=payload.reason,
        version=payload.version,
    )
    return risk_out(request.user, risk)
