"""Compounds API: the registry of old compounds, joint meetings with cost sharing, follow-up
tasks (open → done) and the matters a meeting resolves. Thin, scoped."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Status

from zhili.areas.selectors import area_get
from zhili.compounds import selectors, services
from zhili.compounds.schemas import (
    CompoundsCompleteIn,
    CompoundsCompoundIn,
    CompoundsCompoundOut,
    CompoundsCompoundPage,
    CompoundsCoverageOut,
    CompoundsFollowUpIn,
    CompoundsFollowUpOut,
    CompoundsLinkIn,
    CompoundsMeetingIn,
    CompoundsMeetingOut,
    CompoundsMeetingPage,
)
from zhili.compounds.workflow import WORKFLOW
from zhili.core.errors import ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut

router = Router(tags=["compounds"])
ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


def _compound(c: Any) -> dict[str, Any]:
    return {
        "id": c.pk,
        "name": c.name,
        "area": c.area.code,
        "area_name": c.area.name,
        "coverage": c.coverage,
        "coverage_label": c.get_coverage_display(),
        "property_company": c.property_company,
        "has_owners_committee": c.has_owners_committee,
        "address": c.address,
        "built_year": c.built_year,
        "households": c.households,
    }


def _followup(user: Any, t: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "text": t.text,
        "owner": t.owner.name,
        "due": t.due,
        "status": t.status,
        "status_label": t.get_status_display(),
        "version": t.version,
        "result": t.result,
        "actions": WORKFLOW.allowed_actions(user, t),
    }


def _meeting(user: Any, m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "compound": m.compound_id,
        "compound_name": m.compound.name,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "held_on": m.held_on,
        "place": m.place,
        "topic": m.topic,
        "agenda": m.agenda,
        "decisions": m.decisions,
        "total_cost": m.total_cost,
        "parties": [
            {
                "id": p.pk,
                "role": p.role,
                "role_label": p.get_role_display(),
                "name": p.name,
                "share": p.share,
            }
            for p in selectors.parties_of(m)
        ],
        "attendees": [
            {"name": a.name, "post": a.post, "party": a.party_id} for a in selectors.attendees_of(m)
        ],
        "followups": [_followup(user, t) for t in selectors.followups_of(user, m)],
        "matters": [
            {
                "number": x.number,
                "title": x.title,
                "status": x.status,
                "status_label": x.get_status_display(),
            }
            for x in selectors.matters_of_meeting(user, m)
        ],
    }


@router.get("/coverage", response={200: CompoundsCoverageOut, **ERRORS}, summary="物业服务覆盖统计")
def coverage(request: HttpRequest) -> Any:
    return selectors.coverage_counts(request.user)


@router.get("/meetings", response={200: CompoundsMeetingPage, **ERRORS}, summary="联席会议列表")
def meetings(
    request: HttpRequest, compound: int | None = None, cursor: str | None = None, limit: int = 50
) -> Any:
    the_compound = selectors.compound_get(request.user, compound) if compound else None
    page = keyset_page(
        selectors.meeting_list(request.user, the_compound),
        order=("-id",),
        cursor=cursor,
        limit=limit,
    )
    return {
        "items": [
            {
                "id": m.pk,
                "compound": m.compound_id,
                "compound_name": m.compound.name,
                "kind": m.kind,
                "held_on": m.held_on,
                "topic": m.topic,
            }
            for m in page.items
        ],
        "next": page.next,
    }


@router.post(
    "/meetings",
    response={201: CompoundsMeetingOut, **ERRORS},
    summary="记录联席会议（分摊金额之和须等于费用合计）",
)
def meeting_create(request: HttpRequest, payload: CompoundsMeetingIn) -> Any:
    from zhili.matters.selectors import matter_get

    compound = selectors.compound_get(request.user, payload.compound)
    meeting = services.meeting_create(
        actor=request.user,
        compound=compound,
        kind=payload.kind,
        held_on=payload.held_on,
        topic=payload.topic,
        decisions=payload.decisions,
        agenda=payload.agenda,
        place=payload.place,
        total_cost=payload.total_cost,
        parties=[p.dict() for p in payload.parties],
        attendees=[a.dict() for a in payload.attendees],
        followups=[t.dict() for t in payload.followups],
        matters=[matter_get(request.user, n) for n in payload.matters],
    )
    return Status(201, _meeting(request.user, meeting))


@router.get(
    "/meetings/{meeting_id}", response={200: CompoundsMeetingOut, **ERRORS}, summary="一次联席会议"
)
def meeting(request: HttpRequest, meeting_id: int) -> Any:
    return _meeting(request.user, selectors.meeting_get(request.user, meeting_id))


@router.post(
    "/meetings/{meeting_id}/matters",
    response={200: CompoundsMeetingOut, **ERRORS},
    summary="关联会议解决的诉求",
)
def link_matter(request: HttpRequest, meeting_id: int, payload: CompoundsLinkIn) -> Any:
    from zhili.matters.selectors import matter_get

    m = selectors.meeting_get(request.user, meeting_id)
    services.meeting_link_matter(
        actor=request.user, meeting=m, matter=matter_get(request.user, payload.matter)
    )
    return _meeting(request.user, m)


@router.post(
    "/meetings/{meeting_id}/followups",
    response={201: CompoundsFollowUpOut, **ERRORS},
    summary="布置会后任务",
)
def followup_add(request: HttpRequest, meeting_id: int, payload: CompoundsFollowUpIn) -> Any:
    m = selectors.meeting_get(request.user, meeting_id)
    owner = next((p for p in selectors.parties_of(m) if p.pk == payload.owner), None)
    if owner is None:
        raise ValidationFailed(gettext("任务责任方须是本次会议的参会方"), code="invalid_party")
    t = services.followup_add(
        actor=request.user, meeting=m, text=payload.text, owner=owner, due=payload.due
    )
    return Status(201, _followup(request.user, selectors.followup_get(request.user, t.pk)))


@router.post(
    "/followups/{followup_id}/complete",
    response={200: CompoundsFollowUpOut, **ERRORS},
    summary="完成会后任务（办理中 → 已完成）",
)
def followup_complete(request: HttpRequest, followup_id: int, payload: CompoundsCompleteIn) -> Any:
    t = selectors.followup_get(request.user, followup_id)
    services.followup_complete(
        actor=request.user, followup=t, result=payload.result, version=payload.version
    )
    return _followup(request.user, selectors.followup_get(request.user, followup_id))


@router.get("", response={200: CompoundsCompoundPage, **ERRORS}, summary="老旧小区（按管辖范围）")
def compounds(
    request: HttpRequest,
    coverage: str = "",
    committee: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    f = selectors.CompoundFilters(coverage=coverage, owners_committee=committee, q=q)
    page = keyset_page(
        selectors.compound_list(request.user, f), order=("-id",), cursor=cursor, limit=limit
    )
    return {"items": [_compound(c) for c in page.items], "next": page.next}


@router.post("", response={201: CompoundsCompoundOut, **ERRORS}, summary="登记老旧小区")
def compound_create(request: HttpRequest, payload: CompoundsCompoundIn) -> Any:
    data = payload.dict()
    area = area_get(request.user, data.pop("area"))
    c = services.compound_create(actor=request.user, area=area, **data)
    return Status(201, _compound(selectors.compound_get(request.user, c.pk)))


@router.get(
    "/{compound_id}", response={200: CompoundsCompoundOut, **ERRORS}, summary="一个老旧小区"
)
def compound(request: HttpRequest, compound_id: int) -> Any:
    return _compound(selectors.compound_get(request.user, compound_id))
