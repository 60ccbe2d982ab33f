"""Who am I: the caller's account and grants."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from zhili.core.schemas import ErrorOut
from zhili.org.selectors import my_grants

router = Router(tags=["portal"])


class GrantOut(Schema):
    role: str
    role_name: str
    area_code: str
    area_name: str


class MeOut(Schema):
    username: str
    full_name: str
    grants: list[GrantOut]


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="当前用户及其授权范围")
def me(request: HttpRequest) -> Any:
    user = request.user
    return {
        "username": user.username,
        "full_name": getattr(user, "full_name", ""),
        "grants": [
            {
                "role": g.role.slug,
                "role_name": g.role.name,
                "area_code": g.area.code,
                "area_name": g.area.name,
            }
            for g in my_grants(user)
        ],
    }
