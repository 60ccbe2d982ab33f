"""Reads of the area tree, always scoped to the acting user."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext

from zhili.areas.models import LEVEL_ORDER, Area, AreaChange, AreaQuerySet, Boundary
from zhili.core import lookups
from zhili.core.errors import NotFound
from zhili.core.scoping import path_prefix_q, scope_paths


def area_visible(user: Any, action: str = "view") -> AreaQuerySet:
    return Area.objects.visible_to(user, action)


def area_get(user: Any, code: str, action: str = "view") -> Area:
    """One area by code, current or historical; 404 when unknown or outside the user's scope."""
    area = (
        area_visible(user, action).select_related("parent", "successor").filter(code=code).first()
    )
    if area is None:
        raise NotFound(
            gettext("区域 %(code)s 不存在或不在您的管辖范围内") % {"code": code},
            code="area_not_found",
        )
    return area


def area_children(user: Any, parent: Area, *, level: str | None = None) -> AreaQuerySet:
    qs = area_visible(user).current().filter(parent=parent)
    if level:
        qs = qs.filter(level=level)
    return qs


def area_descendant_counts(area: Area) -> dict[str, int]:
    """Current descendants of ``area`` by level, e.g. {"district": 37, "street": 1031, ...}."""
    rows = (
        Area.objects.current()
        .filter(path_prefix_q("path", area.path))
        .exclude(pk=area.pk)
        .values("level")
        .annotate(n=Count("id"))
    )
    counts = {r["level"]: r["n"] for r in rows}
    below = LEVEL_ORDER[LEVEL_ORDER.index(area.level) + 1 :]
    return {level: counts.get(level, 0) for level in below}


def area_child_counts(children: list[Area]) -> dict[int, int]:
    """Number of current children per area, in one query."""
    if not children:
        return {}
    rows = (
        Area.objects.current()
        .filter(parent__in=children)
        .values("parent_id")
        .annotate(n=Count("id"))
    )
    return {r["parent_id"]: r["n"] for r in rows}


def area_scope_roots(user: Any) -> list[Area]:
    """The top areas of the user's view scope (the city for superusers)."""
    paths = scope_paths(user, Area, "view")
    if paths is None:
        return list(Area.objects.current().filter(parent__isnull=True))
    codes = [p.rstrip("/").rsplit("/", 1)[-1] for p in paths]
    return list(Area.objects.filter(code__in=codes).order_by("path"))


def openable_codes(roots: list[Area], areas: Iterable[Area]) -> set[str]:
    """The codes of ``areas`` whose page a user may open: those under the user's view scope,
    ``roots`` (``area_scope_roots(user)``, read once by the caller)."""
    return {a.code for a in areas if any(a.path.startswith(r.path) for r in roots)}


def area_ancestors(area: Area) -> list[Area]:
    """Breadcrumb names above an area (shown even where the user's scope starts lower), from the
    areas' memo (one query when cold, none once warm)."""
    codes = area.ancestor_codes
    found = areas_by_codes(set(codes))
    return [found[c] for c in codes if c in found]


def area_search(
    user: Any, query: str, *, limit: int = 50, include_history: bool = False
) -> list[Area]:
    query = (query or "").strip()
    if not query:
        return []
    qs = area_visible(user)
    if not include_history:
        qs = qs.current()
    if query.isdigit():
        qs = qs.filter(code__startswith=query)
    else:
        qs = qs.filter(Q(name__contains=query))
    return list(qs.select_related("parent").order_by("depth", "code")[:limit])


def area_history(area: Area) -> QuerySet[AreaChange]:
    return AreaChange.objects.filter(area=area).select_related("change").order_by("id")


def area_former_children(area: Area) -> list[dict[str, Any]]:
    """For an ended area: which areas were moved out of it, and where to."""
    moved = AreaChange.objects.filter(op="transfer", before__parent=area.code).select_related(
        "area"
    )
    return [{"area": c.area, "to": c.after.get("parent"), "change": c.change_id} for c in moved]


def boundary_active(area: Area) -> Boundary | None:
    return Boundary.objects.filter(area=area, active=True).first()


def boundary_list(user: Any, *, current_only: bool = False) -> QuerySet[Boundary]:
    qs = Boundary.objects.visible_to(user).filter(active=True).select_related("area")
    if current_only:
        qs = qs.filter(area__valid_to__isnull=True)
    return qs.order_by("area__code")


def area_by_code(code: str) -> Area | None:
    """Unscoped lookup by code, for intake whose rights are checked by the service (a resident's
    web report may name any current area; staff entry checks ``add`` on it). Memoised per
    process (core.lookups, family "areas")."""
    return lookups.memo("areas").get(("code", code), Area.objects.filter(code=code).first)


def area_by_id(pk: int) -> Area:
    """Unscoped, for a row the caller has already read through its own scope (a matter's area;
    memoised per process, family "areas")."""
    found = lookups.memo("areas").get(("id", pk), Area.objects.filter(pk=pk).first)
    if found is None:
        raise Area.DoesNotExist(pk)
    return found


def areas_by_codes(codes: set[str]) -> dict[str, Area]:
    """``area_by_code`` for many codes, those not memoised read in one query (batch intake, a
    breadcrumb): code → the first by path."""

    def read(keys: list[Any]) -> dict[Any, Area]:
        rows: dict[Any, Area] = {}
        wanted = [key[1] for key in keys]
        for a in Area.objects.filter(code__in=wanted).order_by("path"):
            rows.setdefault(("code", a.code), a)
        return rows

    found = lookups.memo("areas").get_many([("code", c) for c in codes], read)
    return {str(key[1]): a for key, a in found.items() if isinstance(key, tuple)}
