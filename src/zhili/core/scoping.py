"""The one access mechanism: (user, action, model) -> a filter on the model's area path.

A role grant (user, role, area) gives the role's actions over the area's whole subtree. Every model
that holds governed data declares the path field its scope is read from (``scope_field``) and uses
``ScopedQuerySet`` as its manager, so every read starts from ``Model.objects.visible_to(user, action)``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import translate
from typing import TYPE_CHECKING, Any, Self

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from zhili.core import lookups

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    User = AbstractUser  # the project's user model (org.User); core names no domain app


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
        return _matcher(self.permissions)(perm) is not None


@functools.lru_cache(maxsize=256)
def _matcher(patterns: frozenset[str]) -> Any:
    """One compiled regular expression for a role's permission patterns ("matters.*.view"), as
    ``fnmatchcase`` reads each of them: a role holds dozens and a page asks dozens of questions."""
    if not patterns:
        return lambda _perm: None
    return re.compile("|".join(f"(?:{translate(p)})" for p in sorted(patterns))).match


def minimal_paths(paths: Iterable[str]) -> list[str]:
    """Drop paths covered by another path in the set."""
    result: list[str] = []
    for p in sorted(set(paths)):
        if not result or not p.startswith(result[-1]):
            result.append(p)
    return result


def intersect_paths(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """The subtrees covered by both path sets: of two nested paths, the deeper one."""
    a, b = minimal_paths(a), minimal_paths(b)
    both = [p for p in a if any(p.startswith(q) for q in b)]
    both += [q for q in b if any(q.startswith(p) for p in a)]
    return minimal_paths(both)


def holds_at(user: User | AnonymousUser, permission: str, path: str) -> bool:
    """Whether one of the user's grants on the area ``path`` itself (not above it) allows
    ``permission``: a duty of that level's office (``holders(…, exactly=True)`` lists them)."""
    return any(g.path == path and g.allows(permission) for g in user_grants(user))


def user_grants(user: User | AnonymousUser) -> list[Grant]:
    """The user's current grants, cached on the user object for the request and memoised per
    process (``core.lookups``, family "grants": a grant, a role or an area saved or deleted
    empties it here at once and in every other process within ``lookups.CHECK_SECONDS`` of the
    commit; docs/access.md). The user's own ``is_active`` is read from the request's user."""
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_zhili_grants", None)
    if cached is not None:
        return cached
    pk = user.pk
    grants: list[Grant] = lookups.memo("grants").get(("user", pk), lambda: read_grants(pk))
    setattr(user, "_zhili_grants", grants)  # noqa: B010 (cache on the request's user)
    return grants


def read_grants(user_id: int) -> list[Grant]:
    """The user's grants on current areas, from the database (one query)."""
    role_grant = apps.get_model("org", "RoleGrant")
    rows = role_grant.objects.filter(user_id=user_id, area__valid_to__isnull=True).values_list(
        "area__path", "area_id", "role__permissions"
    )
    return [Grant(path, area_id, frozenset(perms)) for path, area_id, perms in rows]


def forget_grants(user: Any) -> None:
    for cached in ("_zhili_grants", "_zhili_scopes"):
        if hasattr(user, cached):
            delattr(user, cached)


def scope_paths(
    user: User | AnonymousUser, model: type[models.Model], action: str
) -> list[str] | None:
    """Paths under which ``user`` may do ``action`` on ``model``; None means everywhere."""
    if user.is_authenticated and user.is_active and user.is_superuser:
        return None
    perm = permission_name(model, action)
    grants = user_grants(user)
    # A page asks the same question dozens of times (every action, menu entry and link): the
    # answer is kept beside the grants it comes from, for the request, and forgotten with them.
    cached = getattr(user, "_zhili_scopes", None)
    if cached is not None and cached[0] is grants:
        scopes: dict[str, list[str]] = cached[1]
    else:
        scopes = {}
        setattr(user, "_zhili_scopes", (grants, scopes))  # noqa: B010 (on the request's user)
    found = scopes.get(perm)
    if found is None:
        found = scopes[perm] = minimal_paths(g.path for g in grants if g.allows(perm))
    return list(found)


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


def paths_q(field: str, paths: Iterable[str] | None) -> Q:
    """A filter on ``field`` for a set of scope paths (None: everywhere; empty: nothing)."""
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for p in minimal_paths(paths):
        q |= path_prefix_q(field, p)
    return q


def object_path(obj: models.Model) -> str:
    """The scope path of one object, read along its model's ``scope_field`` (``area__path``)."""
    qs_class = getattr(type(obj)._default_manager, "_queryset_class", None)
    field = getattr(qs_class, "scope_field", "area__path")
    value: Any = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return str(value)


def _scoped_by_path_only(model: type[models.Model]) -> bool:
    qs_class = getattr(model._default_manager, "_queryset_class", None)
    return qs_class is not None and qs_class.visible_to is ScopedQuerySet.visible_to


def _allows(user: Any, action: str, obj: models.Model) -> bool:
    model = type(obj)
    if _scoped_by_path_only(model):
        return can(user, action, model, object_path(obj))
    manager: Any = model._default_manager
    return bool(manager.visible_to(user, action).filter(pk=obj.pk).exists())


ACTION_WORDS = {
    "add": gettext_lazy("新增"),
    "change": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
    "view_personal": gettext_lazy("查看个人信息"),
}


def _noun(model: type[models.Model], noun: str) -> str:
    return noun or str(model._meta.verbose_name)


def require_at(
    user: Any,
    action: str,
    model: type[models.Model],
    path: str,
    *,
    noun: str = "",
    code: str = "",
) -> None:
    """``require`` for a place rather than an object (creating one there): 404 when the user
    cannot even view ``model`` at ``path``, 403 when they may view but not ``action``."""
    from zhili.core.errors import NotFound, PermissionDenied

    noun = _noun(model, noun)
    if not can(user, "view", model, path):
        raise NotFound(
            gettext("%(noun)s不存在或不在您的管辖范围内") % {"noun": noun},
            code=code or f"{model._meta.model_name}_not_found",
        )
    if action != "view" and not can(user, action, model, path):
        raise PermissionDenied(
            gettext("没有%(noun)s的%(get)s权限")
            % {"noun": noun, "get": ACTION_WORDS.get(action, "此项")},
            code="forbidden",
        )


def require(user: Any, action: str, obj: models.Model, *, noun: str = "", code: str = "") -> None:
    """The one access check of a write or a read of one object: 404 when the object is out of the
    user's scope (its existence is not revealed), 403 when it is in scope but ``action`` is not
    granted. Models whose ``visible_to`` adds rules beyond the area path are asked by query."""
    from zhili.core.errors import NotFound, PermissionDenied

    model = type(obj)
    if _scoped_by_path_only(model):
        require_at(user, action, model, object_path(obj), noun=noun, code=code)
        return
    noun = _noun(model, noun)
    if not _allows(user, "view", obj):
        raise NotFound(
            gettext("%(noun)s不存在或不在您的管辖范围内") % {"noun": noun},
            code=code or f"{model._meta.model_name}_not_found",
        )
    if action != "view" and not _allows(user, action, obj):
        raise PermissionDenied(
            gettext("没有%(noun)s的%(get)s权限")
            % {"noun": noun, "get": ACTION_WORDS.get(action, "此项")},
            code="forbidden",
        )


def one_visible(qs: models.QuerySet, *, noun: str = "", code: str = "") -> Any:
    """The single row of an already scoped queryset, or 404 in the kernel's words."""
    from zhili.core.errors import NotFound

    found = qs.first()
    if found is None:
        model = qs.model
        raise NotFound(
            gettext("%(_noun)s不存在或不在您的管辖范围内") % {"_noun": _noun(model, noun)},
            code=code or f"{model._meta.model_name}_not_found",
        )
    return found


def ancestor_paths(path: str) -> list[str]:
    """``500000/500103/500103001/`` -> the three paths from the root down to itself."""
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def holders(permission: str, area: Any, *, exactly: bool = False) -> Any:
    """Active users who hold ``permission`` (``app.model.action``) over ``area``: through a grant on
    a current area that is the area itself or one of its ancestors (``exactly``: the area itself
    only), by a role whose patterns allow it. Superusers and the system account are not listed
    (they are nobody's to notify)."""
    role_model = apps.get_model("org", "Role")
    user_model = apps.get_model("org", "User")
    role_ids = [
        r.pk
        for r in role_model.objects.only("pk", "permissions")
        if _matcher(frozenset(r.permissions))(permission) is not None
    ]
    path = area if isinstance(area, str) else area.path
    return (
        user_model.objects.filter(
            is_active=True,
            is_superuser=False,
            grants__role_id__in=role_ids,
            grants__area__path__in=[path] if exactly else ancestor_paths(path),
            grants__area__valid_to__isnull=True,
        )
        .distinct()
        .order_by("username")
    )
