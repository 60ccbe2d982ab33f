"""Matters API: intake, scoped lists, detail, events and the actions of the closed loop."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ninja
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import ValidationError as PydanticError

from zhili.areas.selectors import area_by_code, areas_by_codes
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut, IsoDate, plain_model, plain_response
from zhili.matters import schemas, selectors, services
from zhili.matters.actions import SPECS, Action
from zhili.matters.attachments import attachment_store
from zhili.matters.models import Status
from zhili.matters.presenters import (
    category_out,
    event_out,
    matter_detail_out,
    matter_out,
    row_out,
)
from zhili.matters.schemas import (
    CategoryOut,
    MatterBatchIn,
    MatterBatchOut,
    MatterDetailOut,
    MatterEventOut,
    MatterIn,
    MatterOut,
    MatterPage,
    MatterUnitRef,
)

router = Router(tags=["matters"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ListFilters(Schema):
    status: str = ""
    area: str = ""
    category: str = ""
    unit: int | None = None
    overdue: bool | None = None
    created_from: IsoDate | None = None
    created_to: IsoDate | None = None
    queue: str = ""
    triage: str = Field("", description="三事分流：big、small、private")
    handling_mode: str = Field("", description="四事四办：immediate、timed、consult、urgent")
    topic: str = Field(
        "", description="五事：party、self_governance、safety、civility、environment"
    )
    cursor: str | None = None
    limit: int = 50


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="诉求分类目录")
def categories(request: HttpRequest) -> Any:
    return [category_out(c) for c in selectors.category_list() if c.parent_id]


@router.post("/matters", response={201: MatterOut, **ERRORS}, summary="登记一件诉求")
def create(request: HttpRequest, payload: MatterIn) -> Any:
    category = selectors.category_by_code(payload.category)
    if category is None:
        raise ValidationFailed(
            gettext("分类 %(category)s 不存在") % {"category": payload.category},
            code="invalid_category",
        )
    area = None
    if payload.area:
        area = area_by_code(payload.area)
        if area is None:
            raise NotFound(
                gettext("区域 %(area)s 不存在") % {"area": payload.area}, code="area_not_found"
            )
    data = payload.dict(exclude={"category", "area"})
    matter = services.matter_create(actor=request.user, category=category, area=area, **data)
    return ninja.Status(201, matter_out(request.user, matter))


@router.post(
    "/matters/batch",
    response={201: MatterBatchOut, **ERRORS},
    summary="批量登记诉求（热线系统、导入；全部成功或全部不登记）",
)
def create_batch(request: HttpRequest, payload: MatterBatchIn) -> Any:
    """Each item as POST /matters takes it; an invalid item answers 422 (403 for an area outside
    the caller's scope) with ``detail.index`` naming it, and nothing is saved."""
    items: list[MatterIn] = []
    for i, raw in enumerate(payload.items):
        if "attachments" in raw:
            raise ValidationFailed(
                gettext("第 %(i)s 件：批量登记不支持附件") % {"i": i + 1},
                code="attachments_not_supported",
                detail={"index": i},
            )
        try:
            items.append(MatterIn.model_validate(raw))
        except PydanticError as exc:
            errors = [
                {"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")}
                for e in exc.errors()
            ]
            raise ValidationFailed(
                gettext("第 %(i)s 件：请求参数有误") % {"i": i + 1},
                code="invalid",
                detail={"index": i, "errors": errors},
            ) from exc
    categories = {
        c.code: c for c in selectors.category_list().filter(code__in={m.category for m in items})
    }
    areas = areas_by_codes({m.area for m in items if m.area})
    args = []
    for i, m in enumerate(items):
        category = categories.get(m.category)
        if category is None:
            raise ValidationFailed(
                gettext("第 %(i)s 件：分类 %(category)s 不存在")
                % {"i": i + 1, "category": m.category},
                code="invalid_category",
                detail={"index": i},
            )
        area = None
        if m.area:
            area = areas.get(m.area)
            if area is None:
                raise ValidationFailed(
                    gettext("第 %(i)s 件：区域 %(area)s 不存在") % {"i": i + 1, "area": m.area},
                    code="area_not_found",
                    detail={"index": i},
                )
        args.append({"category": category, "area": area, **m.dict(exclude={"category", "area"})})
    matters = services.matter_create_batch(actor=request.user, items=args)
    return ninja.Status(201, {"items": [{"number": m.number, "status": m.status} for m in matters]})


@router.get(
    "/matters", response={200: MatterPage, **ERRORS}, summary="诉求列表（按管辖范围，游标分页）"
)
def list_matters(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    f = selectors.MatterFilters(**filters.dict(exclude={"cursor", "limit"}))
    page = keyset_page(
        selectors.matter_rows(request.user, f),
        order=("-id",),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    data = {"items": [row_out(r) for r in page.items], "next": page.next}
    return plain_response(request, _MATTER_PAGE, data)  # the rows are dicts: no DjangoGetter


_MATTER_PAGE = plain_model(MatterPage)


@router.get(
    "/matters/{number}", response={200: MatterDetailOut, **ERRORS}, summary="一件诉求及可执行的动作"
)
def get(request: HttpRequest, number: str) -> Any:
    return matter_detail_out(request.user, selectors.matter_get(request.user, number))


@router.get(
    "/matters/{number}/events",
    response={200: list[MatterEventOut], **ERRORS},
    summary="诉求的处理过程",
)
def events(request: HttpRequest, number: str) -> Any:
    matter = selectors.matter_get(request.user, number)
    return [event_out(e) for e in selectors.matter_events(matter)]


class MatterPersonalOut(Schema):
    reporter_name: str
    reporter_phone: str


class MatterAttachmentOut(Schema):
    sha256: str
    content_type: str
    size: int


@router.get(
    "/matters/{number}/personal",
    response={200: MatterPersonalOut, **ERRORS},
    summary="反映人的完整姓名和电话（需权限，每次查看都记入审计）",
)
def personal(request: HttpRequest, number: str) -> Any:
    return services.matter_reveal_personal(
        actor=request.user, matter=selectors.matter_get(request.user, number)
    )


@router.post(
    "/attachments",
    response={201: MatterAttachmentOut, **ERRORS},
    summary="上传照片或文件，返回 sha256",
)
def upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    from zhili.matters.attachments import max_bytes

    if file.size and file.size > max_bytes():
        raise ValidationFailed(
            gettext("文件不能超过 %(max_bytes)s MB") % {"max_bytes": max_bytes() // (1024 * 1024)},
            code="file_too_large",
        )
    att = attachment_store(data=file.read(), name=file.name or "file")
    return ninja.Status(
        201, {"sha256": att.sha256, "content_type": att.content_type, "size": att.size}
    )


# The actions: one route per action (its own request body in the OpenAPI), from actions.SPECS ------


def _action_route(spec: Action) -> None:
    def act(request: HttpRequest, number: str, payload: schemas.MatterActionIn) -> Any:
        matter = selectors.matter_get(request.user, number)
        handler = getattr(services, f"matter_{spec.name}")
        result = handler(
            actor=request.user,
            matter=matter,
            version=payload.version,
            **payload.inputs(request.user, matter),
        )
        return matter_detail_out(request.user, result)

    act.__annotations__ = {**act.__annotations__, "payload": spec.body}  # the action's own body
    act.__name__ = f"act_{spec.name}"
    sources = "、".join(str(Status(s).label) for s in spec.sources)
    router.post(
        f"/matters/{{number}}/actions/{spec.name}",
        response={200: MatterDetailOut, **ERRORS},
        summary=f"{spec.label}（{spec.name}）",
        description=f"可在以下状态执行：{sources}。返回诉求及之后可执行的动作。",
        operation_id=f"matter_{spec.name}",
    )(act)


for _spec in SPECS.values():
    _action_route(_spec)


@router.post(
    "/matters/{number}/actions/{action}",
    response={404: ErrorOut},
    summary="其他动作名（一律 404 unknown_action）",
    operation_id="matter_unknown_action",
)
def unknown_action(request: HttpRequest, number: str, action: str) -> Any:
    raise NotFound(gettext("未知的动作 %(action)s") % {"action": action}, code="unknown_action")


# Intake suggestions: duplicates and where to dispatch (matters.duplicates, matters.routing) ----


class DuplicateOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    area_name: str
    created_at: dt.datetime
    score: float
    distance_m: float | None


class RoutingOut(Schema):
    rule_unit: MatterUnitRef | None
    learned_unit: MatterUnitRef | None
    confidence: float | None
    trained_at: str | None


@router.get(
    "/matters/{number}/duplicates",
    response={200: list[DuplicateOut], **ERRORS},
    summary="疑似重复诉求（同分类、同网格或附近、近期、内容相似），按相似度排序",
)
def duplicates(request: HttpRequest, number: str, limit: int = 5) -> Any:
    from zhili.matters.duplicates import distance_m, duplicate_candidates

    matter = selectors.matter_get(request.user, number)
    found = duplicate_candidates(matter, min(max(limit, 1), 20), user=request.user)
    return [
        {
            "number": m.number,
            "title": m.title,
            "status": m.status,
            "status_label": m.get_status_display(),
            "area_name": m.area.name,
            "created_at": m.created_at,
            "score": score,
            "distance_m": None if (d := distance_m(matter, m)) is None else round(d, 1),
        }
        for m, score in found
    ]


@router.get(
    "/matters/{number}/routing",
    response={200: RoutingOut, **ERRORS},
    summary="派单建议：派单规则的单位，以及由历史派遣学到的单位和置信度",
)
def routing_suggestion(request: HttpRequest, number: str) -> Any:
    from zhili.matters.routing import suggest

    found = suggest(selectors.matter_get(request.user, number), user=request.user)
    return {
        **found,
        "rule_unit": _unit_ref(found["rule_unit"]),
        "learned_unit": _unit_ref(found["learned_unit"]),
    }


def _unit_ref(unit: Any) -> dict[str, Any] | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None
