"""Areas API: thin handlers over selectors and services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status

from zhili.areas import geo, selectors, services
from zhili.areas.models import Level
from zhili.areas.schemas import AreaCreateIn, AreaDetailOut, AreaOut, AreaPage, AreaUpdateIn
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut

router = Router(tags=["areas"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class AreaFilters(Schema):
    parent: str | None = None
    level: str | None = None
    q: str | None = None
    include_history: bool = False
    cursor: str | None = None
    limit: int = 100


@router.get(
    "", response={200: AreaPage, **ERRORS}, summary="列出区域（某上级的下级，或按名称/代码搜索）"
)
def list_areas(request: HttpRequest, filters: Query[AreaFilters]) -> Any:
    user = request.user
    qs = selectors.area_visible(user).select_related("parent", "successor")
    if not filters.include_history:
        qs = qs.current()
    if filters.level:
        if filters.level not in Level.values:
            raise ValidationFailed(
                gettext("未知的层级 %(level)s") % {"level": filters.level},
                code="invalid_level",
                detail={"allowed": Level.values},
            )
        qs = qs.filter(level=filters.level)
    if filters.parent:
        qs = qs.filter(parent=selectors.area_get(user, filters.parent))
    elif filters.q:
        q = filters.q.strip()
        qs = qs.filter(code__startswith=q) if q.isdigit() else qs.filter(name__contains=q)
    else:
        roots = selectors.area_scope_roots(user)
        qs = qs.filter(pk__in=[a.pk for a in roots])
    page = keyset_page(qs, order=("code",), cursor=filters.cursor, limit=filters.limit)
    return {"items": [AreaOut.from_area(a) for a in page.items], "next": page.next}


@router.get("/locate", response={200: AreaOut, **ERRORS}, summary="按经纬度（WGS-84）定位所在区域")
def locate(request: HttpRequest, lat: float, lng: float) -> Any:
    found = geo.area_locate(lat=lat, lng=lng)
    # Answer the deepest area on the way down that the caller may see.
    visible = selectors.area_visible(request.user).filter(
        code__in=[*found.ancestor_codes, found.code]
    )
    best = visible.order_by("-depth").select_related("parent", "successor").first()
    if best is None:
        raise NotFound(gettext("该位置不在您的管辖范围内"), code="area_not_found")
    return AreaOut.from_area(best)


@router.get(
    "/{code}",
    response={200: AreaDetailOut, **ERRORS},
    summary="一个区域（含历史区域）及各级下级数量",
)
def get_area(request: HttpRequest, code: str) -> Any:
    area = selectors.area_get(request.user, code)
    data = AreaOut.from_area(area)
    data["descendant_counts"] = selectors.area_descendant_counts(area) if area.is_current else {}
    data["history"] = [
        {
            "change": c.change.slug,
            "effective": c.change.effective,
            "op": c.op,
            "before": c.before,
            "after": c.after,
            "note": c.note,
        }
        for c in selectors.area_history(area)
    ]
    data["former_children"] = [
        {"code": row["area"].code, "name": row["area"].name}
        for row in selectors.area_former_children(area)
    ]
    return data


@router.post(
    "/{code}/children",
    response={201: AreaOut, **ERRORS},
    summary="在社区下新建网格，或在网格下新建楼栋",
)
def create_child(request: HttpRequest, code: str, payload: AreaCreateIn) -> Any:
    parent = selectors.area_get(request.user, code)
    area = services.area_create(actor=request.user, parent=parent, **payload.dict())
    return Status(201, AreaOut.from_area(area))


@router.patch("/{code}", response={200: AreaOut, **ERRORS}, summary="修改网格或楼栋")
def update_area(request: HttpRequest, code: str, payload: AreaUpdateIn) -> Any:
    area = selectors.area_get(request.user, code)
    changes = payload.dict(exclude_unset=True)
    area = services.area_update(actor=request.user, area=area, **changes)
    return AreaOut.from_area(area)
