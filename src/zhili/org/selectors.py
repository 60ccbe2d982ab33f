"""Reads about people and access, scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from zhili.core import lookups
from zhili.core.errors import NotFound
from zhili.core.scoping import one_visible
from zhili.org.models import ApiToken, Liaison, Role, RoleGrant, Unit, User


def unit_list(user: Any, *, query: str = "", type: str = "") -> QuerySet[Unit]:
    qs = Unit.objects.visible_to(user).select_related("area", "parent")
    if query:
        qs = qs.filter(name__contains=query.strip())
    if type:
        qs = qs.filter(type=type)
    return qs


def unit_get(user: Any, pk: int, action: str = "view") -> Unit:
    qs = Unit.objects.visible_to(user, action).select_related("area").filter(pk=pk)
    return one_visible(qs, noun=gettext("单位"))


def unit_by_id(pk: int) -> Unit | None:
    """Unscoped, for a row the caller has already read through its own scope (a matter's lead or
    suggested unit; memoised per process: core.lookups, family "units")."""
    return lookups.memo("units").get(("id", pk), Unit.objects.filter(pk=pk).first)


def user_list(user: Any, *, query: str = "") -> QuerySet[User]:
    qs = User.objects.visible_to(user).select_related("area", "unit")
    if query:
        q = query.strip()
        qs = qs.filter(Q(username__contains=q) | Q(full_name__contains=q))
    return qs


def user_get(user: Any, pk: int, action: str = "view") -> User:
    qs = User.objects.visible_to(user, action).select_related("area", "unit").filter(pk=pk)
    return one_visible(qs, noun=gettext("用户"))


def grant_list(user: Any, *, for_user: User | None = None) -> QuerySet[RoleGrant]:
    qs = RoleGrant.objects.visible_to(user).select_related("user", "role", "area")
    if for_user is not None:
        qs = qs.filter(user=for_user)
    return qs.order_by("area__path", "role_id")


def grant_get(user: Any, pk: int) -> RoleGrant:
    return one_visible(grant_list(user).filter(pk=pk), noun=gettext("授权"))


def role_list(user: Any) -> QuerySet[Role]:
    return Role.objects.visible_to(user)


def role_get(user: Any, pk: int) -> Role:
    role = role_list(user).filter(pk=pk).first()
    if role is None:
        raise NotFound(gettext("角色不存在"))
    return role


def liaison_list(user: Any) -> QuerySet[Liaison]:
    return Liaison.objects.visible_to(user).select_related("area", "leader", "unit")


def liaison_get(user: Any, pk: int) -> Liaison:
    return one_visible(liaison_list(user).filter(pk=pk), noun=gettext("包片联系"))


def token_list(user: Any) -> QuerySet[ApiToken]:
    """A user's own tokens (never anyone else's)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def my_grants(user: Any) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.filter(user=user).select_related("role", "area").order_by("area__path")


def committee_members(unit: Any) -> int:
    """The active members (staff accounts) of a unit: a mediation committee's size, which the
    services check against ``models.MEDIATION_COMMITTEE_SIZE`` (an internal count, no scope)."""
    return User.objects.filter(unit=unit, is_active=True).count()
