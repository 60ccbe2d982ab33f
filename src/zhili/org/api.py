"""Organisation API: units, users, roles and grants (read), scoped like the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.org import selectors

router = Router(tags=["org"])
ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class UnitOut(Schema):
    id: int
    name: str
    type: str
    type_label: str
    area_code: str
    area_name: str
    is_active: bool


class UnitPage(Schema):
    items: list[UnitOut]
    next: str | None


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    area_code: str | None
    unit: str | None
    is_active: bool


class UserPage(Schema):
    items: list[UserOut]
    next: str | None


class RoleOut(Schema):
    slug: str
    name: str
    description: str
    permissions: list[str]


def _unit(u: Any) -> dict[str, Any]:
    return {
        "id": u.id,
        "name": u.name,
        "type": u.type,
        "type_label": u.get_type_display(),
        "area_code": u.area.code,
        "area_name": u.area.name,
        "is_active": u.is_active,
    }


def _user(u: Any) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "full_name": u.full_name,
        "area_code": u.area.code if u.area_id else None,
        "unit": u.unit.name if u.unit_id else None,
        "is_active": u.is_active,
    }


@router.get("/units", response={200: UnitPage, **ERRORS}, summary="单位列表")
def list_units(
    request: HttpRequest, q: str = "", cursor: str | None = None, limit: int = 50
) -> Any:
    page = keyset_page(
        selectors.unit_list(request.user, query=q), order=("id",), cursor=cursor, limit=limit
    )
    return {"items": [_unit(u) for u in page.items], "next": page.next}


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="一个单位")
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return _unit(selectors.unit_get(request.user, unit_id))


@router.get("/users", response={200: UserPage, **ERRORS}, summary="用户列表")
def list_users(
    request: HttpRequest, q: str = "", cursor: str | None = None, limit: int = 50
) -> Any:
    page = keyset_page(
        selectors.user_list(request.user, query=q), order=("id",), cursor=cursor, limit=limit
    )
    return {"items": [_user(u) for u in page.items], "next": page.next}


@router.get("/users/{user_id}", response={200: UserOut, **ERRORS}, summary="一个用户")
def get_user(request: HttpRequest, user_id: int) -> Any:
    return _user(selectors.user_get(request.user, user_id))


@router.get("/roles", response={200: list[RoleOut], **ERRORS}, summary="角色")
def list_roles(request: HttpRequest) -> Any:
    return list(selectors.role_list(request.user))
