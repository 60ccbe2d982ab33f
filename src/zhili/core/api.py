"""The audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from zhili.core import pickers
from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.core.selectors import audit_search

router = Router(tags=["core"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    note: str
    request_id: str


class AuditPage(Schema):
    items: list[AuditOut]
    next: str | None


@router.get(
    "/audit",
    response={200: AuditPage, 401: ErrorOut, 422: ErrorOut},
    summary="审计记录（按管辖范围）",
)
def audit(
    request: HttpRequest,
    q: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    qs = audit_search(
        request.user,
        query=q,
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
    )
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {
        "items": [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_name,
                "action": e.action,
                "action_label": e.action_label,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_repr": e.object_repr,
                "before": e.before,
                "after": e.after,
                "note": e.note,
                "request_id": e.request_id,
            }
            for e in page.items
        ],
        "next": page.next,
    }


# -- pickers (core.pickers): what a form's area or person picker offers ------------------------


class PickAreaOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    label: str
    value: str
    selectable: bool
    has_children: bool


class PickAreaList(Schema):
    items: list[PickAreaOut]
    parent: PickAreaOut | None = None


class PickPersonOut(Schema):
    username: str
    name: str
    unit: str
    value: str


class PickPersonList(Schema):
    items: list[PickPersonOut]


PICK_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _area_out(a: Any, levels: tuple[str, ...]) -> dict[str, Any]:
    return {
        "code": a.code,
        "name": a.name,
        "level": a.level,
        "level_label": a.get_level_display(),
        "label": pickers.area_label(a),
        "value": pickers.area_value(a),
        "selectable": not levels or a.level in levels,
        "has_children": a.level != "building",
    }


@router.get(
    "/pick/areas",
    response={200: PickAreaList, **PICK_ERRORS},
    summary="区域选择器：按权限范围（如 risks.risk.add）逐级浏览或按名称/代码搜索",
)
def pick_areas(
    request: HttpRequest,
    scope: str = Query(..., alias="for", max_length=80),
    q: str = Query("", max_length=80),
    parent: str = Query("", max_length=32),
    levels: str = Query("", max_length=80),
) -> Any:
    wanted = tuple(lv for lv in levels.split(",") if lv)
    found = pickers.area_options(request.user, scope, q=q, parent=parent, levels=wanted)
    up = None
    if parent and not q:
        up = pickers.resolve_area(request.user, parent, permission=scope)
    return {
        "items": [_area_out(a, wanted) for a in found],
        "parent": _area_out(up, wanted) if up is not None else None,
    }


@router.get(
    "/pick/people/{kind}",
    response={200: PickPersonList, **PICK_ERRORS},
    summary="人员选择器：某地可担任该角色的人员（如 risks.responsible、disputes.mediator）",
)
def pick_people(
    request: HttpRequest,
    kind: str,
    area: str = Query("", max_length=32),
    unit: int | None = None,
    q: str = Query("", max_length=80),
) -> Any:
    found_kind = pickers.people_kind(kind)
    place = pickers.place_for(request.user, found_kind, area) if found_kind.needs_place else None
    people = pickers.people_options(request.user, found_kind, area=place, unit=unit, q=q)
    return {
        "items": [
            {
                "username": p.username,
                "name": p.display_name,
                "unit": p.unit.name if p.unit_id else "",
                "value": pickers.person_value(p),
            }
            for p in people
        ]
    }
