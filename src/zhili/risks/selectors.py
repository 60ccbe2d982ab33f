"""Reads of the risk register, scoped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from zhili.areas.models import Area
from zhili.core.errors import NotFound
from zhili.core.related import Link, Related
from zhili.core.scoping import can, has_any, path_prefix_q
from zhili.risks.models import Level, Risk, RiskCandidate, Status


@dataclass
class RiskFilters:
    status: str = ""
    level: str = ""
    category: str = ""
    area: str = ""
    q: str = ""


def risk_visible(user: Any, action: str = "view") -> QuerySet[Risk]:
    return Risk.objects.visible_to(user, action)


def risk_list(user: Any, f: RiskFilters) -> QuerySet[Risk]:
    qs = risk_visible(user).select_related("area", "responsible_unit", "responsible_person")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.area:
        area = Area.objects.filter(code=f.area).first()
        if area is None:
            raise NotFound(f"区域 {f.area} 不存在", code="area_not_found")
        qs = qs.filter(path_prefix_q("area_path", area.path))
    if f.q:
        qs = qs.filter(Q(title__contains=f.q) | Q(number=f.q.strip()))
    return qs


def risk_get(user: Any, number: str) -> Risk:
    risk = (
        risk_visible(user)
        .select_related(
            "area", "matter", "dispute", "responsible_unit", "responsible_person", "escalated_to"
        )
        .filter(number=number)
        .first()
    )
    if risk is None:
        raise NotFound(f"风险 {number} 不存在或不在您的管辖范围内", code="risk_not_found")
    return risk


def candidate_list(user: Any, *, status: str = "proposed") -> QuerySet[RiskCandidate]:
    return (
        RiskCandidate.objects.visible_to(user)
        .filter(status=status)
        .select_related("area")
        .order_by("-id")
    )


def candidate_get(user: Any, pk: int) -> RiskCandidate:
    found = (
        RiskCandidate.objects.visible_to(user)
        .filter(pk=pk)
        .select_related("area", "dispute")
        .first()
    )
    if found is None:
        raise NotFound("风险线索不存在或不在您的管辖范围内")
    return found


def map_counts(user: Any) -> dict[str, dict[str, int]]:
    """Open red and orange risks per district in the user's scope, for the risk map."""
    rows = (
        risk_visible(user)
        .filter(status=Status.OPEN, level__in=[Level.RED, Level.ORANGE])
        .values_list("area_path", "level")
    )
    out: dict[str, dict[str, int]] = {}
    for path, level in rows:
        parts = [p for p in path.split("/") if p]
        district = parts[1] if len(parts) > 1 else parts[0]
        out.setdefault(district, {"red": 0, "orange": 0})[level] += 1
    return out


def level_counts(user: Any) -> dict[str, int]:
    rows = risk_visible(user).filter(status=Status.OPEN).values("level").annotate(n=Count("id"))
    return {r["level"] or "unrated": r["n"] for r in rows}


def can_see_personal(user: Any, risk: Risk) -> bool:
    return can(user, "view_personal", Risk, risk.area_path)


def risks_for_matter(user: Any, matter: Any) -> QuerySet[Risk]:
    return risk_visible(user).filter(matter=matter)


def settings_data() -> dict[str, Any]:
    """Level policies and matrices (city-wide configuration, readable by any risk viewer)."""
    from zhili.risks.models import LevelPolicy, RiskMatrix

    return {
        "policies": list(LevelPolicy.objects.all()),
        "matrices": list(RiskMatrix.objects.order_by("-is_default", "-id")),
    }


def risks_of_matter(user: Any, matter: Any) -> Related | None:
    """A matter page's links to the risks registered from it (scoped), and "登记为风险" for
    those who may register one (core.related; declared in RisksConfig.related)."""
    risks = list(risk_visible(user).filter(matter=matter).only("number", "title"))
    may_add = has_any(user, Risk, "add")
    if not risks and not may_add:
        return None
    return Related(
        items=[
            Link(f"风险 {r.number} · {r.title}", reverse("risks:detail", args=[r.number]))
            for r in risks
        ],
        actions=[Link("登记为风险", f"{reverse('risks:create')}?matter={matter.number}")]
        if may_add
        else [],
        order=10,
    )
