"""The one access mechanism: (user, action, model) -> a filter on the model's area path.

A role grant (user, role, area) gives the role's actions over the area's whole subtree. Every model
that holds governed data declares the path field its scope is read from (``scope_field``) and uses
``ScopedQuerySet`` as its manager, so every read starts from ``Model.objects.visible_to(user, action)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from zhili.org.models import User


def path_prefix_q(field: str, path: str) -> Q:
    """Everything whose ``field`` starts with ``path`` (which ends in "/"), as an index range scan."""
    if not path.endswith("/"):
        raise ValueError("a scope path ends with '/'")
    upper = path[:-1] + chr(ord("/") + 1)
    return Q(**{f"{field}__gte": path, f"{field}__lt": upper})


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}.{action}"


@dataclass(frozen=True)
class Grant:
    path: str
    area_id: int
    permissions: frozenset[str]

    def allows(self, perm: str) -> bool:
        return any(fnmatchcase(perm, pattern) for pattern in self.permissions)


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths covered by another path in the set."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not result or not p.startswith(result[-1]):
            result.append(p)
    return result


def user_grants(user: User | AnonymousUser) -> list[Grant]:
    """The user's current grants, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_zhili_grants", None)
    if cached is not None:
        return cached
    role_grant = apps.get_model("org", "RoleGrant")
    rows = (
        role_grant.objects.filter(user=user, area__valid_to__isnull=True)
        .select_related("role", "area")
        .only("area__path", "area_id", "role__permissions")
    )
    grants = [Grant(g.area.path, g.area_id, frozenset(g.role.permissions)) for g in rows]
    setattr(user, "_zhili_grants", grants)  # noqa: B010 (cache on the request's user)
    return grants


def forget_grants(user: Any) -> None:
    if hasattr(user, "_zhili_grants"):
        del user._zhili_grants


def scope_paths(
    user: User | AnonymousUser, model: type[models.Model], action: str
) -> list[str] | None:
    """Paths under which ``user`` may do ``action`` on ``model``; None means everywhere."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    perm = permission_name(model, action)
    return minimal_paths(g.path for g in user_grants(user) if g.allows(perm))


def can(user: User | AnonymousUser, action: str, model: type[models.Model], path: str) -> bool:
    paths = scope_paths(user, model, action)
    if paths is None:
        return True
    return any(path.startswith(p) for p in paths)


def has_any(user: User | AnonymousUser, model: type[models.Model], action: str) -> bool:
    paths = scope_paths(user, model, action)
    return paths is None or bool(paths)


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see (NetBox's restrict(), by area)."""

    scope_field = "area__path"

    def visible_to(self, user: User | AnonymousUser, action: str = "view") -> Self:
        paths = scope_paths(user, self.model, action)
        if paths is None:
            return self
        if not paths:
            return self.none()
        q = Q()
        for p in paths:
            q |= path_prefix_q(self.scope_field, p)
        return self.filter(q)
