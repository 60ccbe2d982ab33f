"""Reads of the cockpit: which area (scoped), its children, and every provider's figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.cockpit.models import CameraPoint, WeeklyReport
from zhili.cockpit.registry import CockpitQuery, Collected, collect
from zhili.core.errors import NotFound
from zhili.core.scoping import one_visible, path_prefix_q, require_at, scope_paths
from zhili.matters.metrics import Period, period_parse

# The drill-down goes city → district → street → community (the grid level is the matters' own).
DRILL_LEVELS = (Level.CITY, Level.DISTRICT, Level.STREET)


def area_for(user: Any, code: str = "", model: type[Model] = WeeklyReport) -> Area:
    """The cockpit's area: the city by default (or the user's own top area), 404 outside the
    user's scope over ``model`` (the cockpit's figures; the camera points for their page)."""
    if not code:
        paths = scope_paths(user, model, "view")
        if paths:
            found = Area.objects.filter(path=sorted(paths)[0]).first()
            if found is not None:
                return found
        code = settings.ZHILI_ROOT_CODE
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound(gettext("区域 %(code)s 不存在") % {"code": code}, code="area_not_found")
    require_at(user, "view", model, area.path, noun=gettext("区域"))
    return area


def children_of(area: Area) -> list[Area]:
    if area.level not in DRILL_LEVELS:
        return []
    return list(Area.objects.current().filter(parent=area).order_by("code"))


def crumbs_of(user: Any, area: Area) -> list[Area]:
    codes = [c for c in area.path.split("/") if c]
    found = {a.code: a for a in Area.objects.filter(code__in=codes)}
    paths = scope_paths(user, WeeklyReport, "view")
    out = [found[c] for c in codes if c in found]
    if paths is None:
        return out
    return [a for a in out if any(a.path.startswith(p) for p in paths)]


def period_of(start: Any = None, end: Any = None, days: Any = None) -> Period:
    return period_parse(start=start, end=end, days=days)


def cockpit(user: Any, area: Area, period: Period, only: set[str] | None = None) -> Collected:
    q = CockpitQuery(user, area, period.start, period.end, tuple(children_of(area)))
    return collect(q, only)


def payload(area: Area, period: Period, c: Collected, children: list[Area]) -> dict[str, Any]:
    """The cockpit as plain data: the page's charts, the API, the weekly report's snapshot."""
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "children": [{"code": a.code, "name": a.name} for a in children],
        "sections": [
            {
                "key": s.key,
                "title": s.title,
                "link": s.link,
                "figures": [asdict(f) for f in s.figures],
                "trends": [
                    {"label": t.label, "points": [[x, y] for x, y in t.points]} for t in s.trends
                ],
            }
            for s in c.sections
        ],
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
    }


def report_list(user: Any, area: Area) -> QuerySet[WeeklyReport]:
    return (
        WeeklyReport.objects.visible_to(user)
        .filter(path_prefix_q("area_path", area.path))
        .select_related("area", "requested_by")
        .defer("xlsx", "pdf", "data")
        .annotate(pdf_ready=Q(pdf__isnull=False))[:20]
    )


def report_get(user: Any, pk: int) -> WeeklyReport:
    return one_visible(
        WeeklyReport.objects.visible_to(user).filter(pk=pk).select_related("area"),
        noun=gettext("周报"),
    )


def camera_list(user: Any, area: Area | None = None) -> QuerySet[CameraPoint]:
    qs = CameraPoint.objects.visible_to(user).select_related("area")
    if area is not None:
        qs = qs.filter(path_prefix_q("area_path", area.path))
    return qs


def camera_get(user: Any, pk: int) -> CameraPoint:
    return one_visible(CameraPoint.objects.visible_to(user).filter(pk=pk), noun=gettext("点位"))
