"""楼栋工作日 API: plans, visits and their record, residents, demands → matters, figures and
the 包片 check. Thin: services write, selectors read (scoped)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Status

from zhili.areas.selectors import area_get
from zhili.core.errors import ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.matters.selectors import category_get
from zhili.visits import figures, selectors, services
from zhili.visits.liaisons import liaison_check, limits
from zhili.visits.schemas import (
    VisitsDemandIn,
    VisitsFiguresOut,
    VisitsLiaisonOut,
    VisitsMissIn,
    VisitsPlanIn,
    VisitsPlanOut,
    VisitsPlanPage,
    VisitsRecordIn,
    VisitsResidentIn,
    VisitsScheduleIn,
    VisitsVisitDetailOut,
    VisitsVisitPage,
)
from zhili.visits.workflow import WORKFLOW

router = Router(tags=["visits"])
ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


def _visit(user: Any, v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "plan": v.plan_id,
        "cadre": v.cadre.username,
        "cadre_name": v.cadre.display_name,
        "building": v.building.code,
        "building_name": v.building.name,
        "date": v.date,
        "status": v.status,
        "status_label": v.get_status_display(),
        "version": v.version,
        "visited_on": v.visited_on,
        "summary": v.summary,
        "miss_reason": v.miss_reason,
        "actions": WORKFLOW.allowed_actions(user, v),
    }


def _detail(user: Any, v: Any) -> dict[str, Any]:
    demands = selectors.demands_of(user, v)
    return {
        **_visit(user, v),
        "residents": selectors.residents_masked(v),
        "demands": [
            {
                "id": d.pk,
                "text": d.text,
                "category": d.category.code,
                "resident": d.resident_id,
                "matter": d.matter.number if d.matter_shown else None,  # type: ignore[attr-defined, union-attr]
                "matter_status": d.matter.status if d.matter_shown else None,  # type: ignore[attr-defined, union-attr]
                "matter_status_label": d.matter.get_status_display() if d.matter_shown else None,  # type: ignore[attr-defined, union-attr]
            }
            for d in demands
        ],
    }


def _building(user: Any, code: str) -> Any:
    return area_get(user, code)


@router.get("/plans", response={200: VisitsPlanPage, **ERRORS}, summary="走访计划（按管辖范围）")
def plans(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Any:
    page = keyset_page(
        selectors.plan_list(request.user), order=("-id",), cursor=cursor, limit=limit
    )
    return {"items": [VisitsPlanOut.of(p) for p in page.items], "next": page.next}


@router.post("/plans", response={201: VisitsPlanOut, **ERRORS}, summary="新建走访计划")
def plan_create(request: HttpRequest, payload: VisitsPlanIn) -> Any:
    from zhili.org.selectors import user_list

    cadre = user_list(request.user).filter(username=payload.cadre).first()
    if cadre is None:
        raise ValidationFailed(
            gettext("账号 %(cadre)s 不存在或不在您的管辖范围内") % {"cadre": payload.cadre},
            code="invalid_cadre",
        )
    plan = services.plan_create(
        actor=request.user,
        cadre=cadre,
        area=area_get(request.user, payload.area),
        title=payload.title,
        visits=[(_building(request.user, v.building), v.date) for v in payload.visits],
    )
    return Status(201, VisitsPlanOut.of(plan))


@router.get("/plans/{plan_id}", response={200: VisitsPlanOut, **ERRORS}, summary="一个走访计划")
def plan(request: HttpRequest, plan_id: int) -> Any:
    return VisitsPlanOut.of(selectors.plan_get(request.user, plan_id))


@router.post(
    "/plans/{plan_id}/visits",
    response={201: VisitsVisitDetailOut, **ERRORS},
    summary="安排走访（楼栋、日期）",
)
def schedule(request: HttpRequest, plan_id: int, payload: VisitsScheduleIn) -> Any:
    the_plan = selectors.plan_get(request.user, plan_id)
    visit = services.visit_schedule(
        actor=request.user,
        plan=the_plan,
        building=_building(request.user, payload.building),
        date=payload.date,
    )
    return Status(201, _detail(request.user, selectors.visit_get(request.user, visit.pk)))


@router.get("/records", response={200: VisitsVisitPage, **ERRORS}, summary="楼栋走访（按管辖范围）")
def visits(
    request: HttpRequest,
    status: str = "",
    mine: bool = False,
    plan: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    qs = selectors.visit_list(
        request.user, selectors.VisitFilters(status=status, mine=mine, plan=plan)
    )
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {"items": [_visit(request.user, v) for v in page.items], "next": page.next}


@router.get(
    "/records/{visit_id}", response={200: VisitsVisitDetailOut, **ERRORS}, summary="一次走访"
)
def visit(request: HttpRequest, visit_id: int) -> Any:
    return _detail(request.user, selectors.visit_get(request.user, visit_id))


@router.post(
    "/records/{visit_id}/record",
    response={200: VisitsVisitDetailOut, **ERRORS},
    summary="记录走访（待走访 → 已走访）",
)
def record(request: HttpRequest, visit_id: int, payload: VisitsRecordIn) -> Any:
    v = selectors.visit_get(request.user, visit_id)
    services.visit_record(
        actor=request.user,
        visit=v,
        summary=payload.summary,
        visited_on=payload.visited_on,
        version=payload.version,
    )
    return _detail(request.user, selectors.visit_get(request.user, visit_id))


@router.post(
    "/records/{visit_id}/miss",
    response={200: VisitsVisitDetailOut, **ERRORS},
    summary="标记未走访（待走访 → 未走访）",
)
def miss(request: HttpRequest, visit_id: int, payload: VisitsMissIn) -> Any:
    v = selectors.visit_get(request.user, visit_id)
    services.visit_miss(actor=request.user, visit=v, reason=payload.reason, version=payload.version)
    return _detail(request.user, selectors.visit_get(request.user, visit_id))


@router.post(
    "/records/{visit_id}/residents",
    response={201: VisitsVisitDetailOut, **ERRORS},
    summary="登记走访群众",
)
def resident(request: HttpRequest, visit_id: int, payload: VisitsResidentIn) -> Any:
    v = selectors.visit_get(request.user, visit_id)
    services.resident_add(
        actor=request.user, visit=v, name=payload.name, phone=payload.phone, room=payload.room
    )
    return Status(201, _detail(request.user, v))


@router.post(
    "/records/{visit_id}/demands",
    response={201: VisitsVisitDetailOut, **ERRORS},
    summary="登记诉求（to_matter 为真时同时转为诉求事项）",
)
def demand(request: HttpRequest, visit_id: int, payload: VisitsDemandIn) -> Any:
    v = selectors.visit_get(request.user, visit_id)
    services.demand_add(
        actor=request.user,
        visit=v,
        text=payload.text,
        category=category_get(payload.category),
        resident=selectors.resident_get(v, payload.resident),
        to_matter=payload.to_matter,
    )
    return Status(201, _detail(request.user, v))


@router.post(
    "/records/{visit_id}/demands/{demand_id}/matter",
    response={200: VisitsVisitDetailOut, **ERRORS},
    summary="诉求转为事项（渠道：楼栋工作日）",
)
def to_matter(request: HttpRequest, visit_id: int, demand_id: int) -> Any:
    v = selectors.visit_get(request.user, visit_id)
    services.demand_to_matter(
        actor=request.user, demand=selectors.demand_get(request.user, v, demand_id)
    )
    return _detail(request.user, v)


@router.get(
    "/figures",
    response={200: VisitsFiguresOut, **ERRORS},
    summary="走访统计：按干部、按街道；month=YYYY-MM 为月度通报，week=某日为该周联系情况",
)
def figures_(request: HttpRequest, month: str = "", week: str = "") -> Any:
    if week:
        start, end = figures.week_of(figures.parse_day(week))
    else:
        start, end = figures.parse_month(month)
    fig = figures.figures(request.user, start, end)
    return {
        "start": fig.start,
        "end": fig.end,
        "weekly_minimum": figures.weekly_minimum(),
        "by_cadre": [_row(r) for r in fig.by_cadre],
        "by_street": [_row(r) for r in fig.by_street],
        "total": _row(fig.total),
    }


def _row(r: figures.Row) -> dict[str, Any]:
    return {
        "key": r.key,
        "name": r.name,
        "planned": r.planned,
        "done": r.done,
        "missed": r.missed,
        "overdue": r.overdue,
        "rate": r.rate,
        "contact_weeks": r.contact_weeks,
        "weeks": r.weeks,
        "residents": r.residents,
        "demands": r.demands,
        "matters": r.matters,
        "solved": r.solved,
    }


@router.get(
    "/liaisons",
    response={200: VisitsLiaisonOut, **ERRORS},
    summary="包片联系检查：每位领导、每个区县部门联系 1–2 个街道",
)
def liaisons(request: HttpRequest) -> Any:
    rows = liaison_check(request.user)
    low, high = limits()
    return {
        "fewest": low,
        "most": high,
        "items": [
            {
                "kind": r.kind,
                "name": r.name,
                "district": r.district,
                "streets": r.streets,
                "problem": r.problem,
            }
            for r in rows
        ],
        "warnings": sum(1 for r in rows if r.problem),
    }
