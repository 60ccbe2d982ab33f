"""Scoped reads of 楼栋工作日: plans, visits, residents (masked), demands and their matters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from zhili.core.privacy import mask
from zhili.core.related import Link, Related, linked_by
from zhili.core.scoping import has_any, one_visible
from zhili.visits.models import Demand, Resident, Status, Visit, VisitEvent, VisitPlan


def plan_list(user: Any) -> QuerySet[VisitPlan]:
    return VisitPlan.objects.visible_to(user).select_related("cadre", "area")


def plan_get(user: Any, pk: int) -> VisitPlan:
    return one_visible(plan_list(user).filter(pk=pk), noun=gettext("走访计划"))


def visit_visible(user: Any, action: str = "view") -> QuerySet[Visit]:
    return Visit.objects.visible_to(user, action)


@dataclass
class VisitFilters:
    status: str = ""
    cadre: str = ""  # username
    plan: int | None = None
    mine: bool = False


def visit_list(user: Any, f: VisitFilters | None = None) -> QuerySet[Visit]:
    f = f or VisitFilters()
    qs = visit_visible(user).select_related("building", "cadre", "plan")
    if f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.cadre:
        qs = qs.filter(cadre__username=f.cadre)
    if f.plan:
        qs = qs.filter(plan_id=f.plan)
    if f.mine:
        qs = qs.filter(cadre_id=user.pk)
    return qs


def visit_get(user: Any, pk: int) -> Visit:
    return one_visible(
        visit_visible(user).select_related("building", "cadre", "plan", "plan__area").filter(pk=pk),
        noun=gettext("走访"),
    )


def visit_events(visit: Visit) -> QuerySet[VisitEvent]:
    return VisitEvent.objects.filter(visit=visit).for_display()


def residents_masked(visit: Visit) -> list[dict[str, Any]]:
    """The residents met, as everyone sees them: masked (``services.visit_reveal`` unmasks)."""
    return [
        {
            "id": r.pk,
            **{f: mask(kind, getattr(r, f)) for f, kind in Resident.PERSONAL.items()},
        }
        for r in Resident.objects.filter(visit=visit).order_by("id")
    ]


def demands_of(user: Any, visit: Visit) -> list[Demand]:
    """The visit's demands with their category and matter; ``matter_shown`` says whether the
    user may see that matter (its number and status are shown only then)."""
    from zhili.matters.selectors import matter_visible

    demands = list(
        Demand.objects.filter(visit=visit).select_related("category", "matter").order_by("id")
    )
    ids = [d.matter_id for d in demands if d.matter_id]
    shown = (
        set(matter_visible(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    )
    for d in demands:
        d.matter_shown = d.matter_id in shown  # type: ignore[attr-defined]
    return demands


def demand_get(user: Any, visit: Visit, pk: int) -> Demand:
    return one_visible(Demand.objects.filter(visit=visit, pk=pk), noun=gettext("走访诉求"))


def resident_get(visit: Visit, pk: int | None) -> Resident | None:
    if not pk:
        return None
    return one_visible(Resident.objects.filter(visit=visit, pk=pk), noun=gettext("走访群众"))


def plan_buildings(user: Any, plan: VisitPlan) -> QuerySet[Any]:
    """Buildings inside the plan's area that the user may schedule a visit at."""
    from zhili.areas.models import Level
    from zhili.areas.selectors import area_visible
    from zhili.core.scoping import path_prefix_q

    return (
        area_visible(user)
        .current()
        .filter(path_prefix_q("path", plan.area_path), level=Level.BUILDING)
        .order_by("path")
    )


def visits_from_matter(user: Any, matter: Any) -> QuerySet[Visit]:
    """The visit whose demand became the matter, if the user may see it."""
    return visit_visible(user).filter(demands__matter=matter)


@linked_by(visits_from_matter)
def visits_of_matter(user: Any, matter: Any, *, linked: bool = True) -> Related | None:
    """A matter's page: the visit whose demand it came from (core.related, scoped)."""
    if not linked:
        return None
    visit = visits_from_matter(user, matter).select_related("building", "cadre").first()
    if visit is None:
        return None
    return Related(
        items=[
            Link(
                gettext("楼栋走访 · %(date)s %(building)s · %(cadre)s（%(status)s）")
                % {
                    "date": f"{visit.date:%Y-%m-%d}",
                    "building": visit.building.name,
                    "cadre": visit.cadre.display_name,
                    "status": visit.get_status_display(),
                },
                reverse("visits:detail", args=[visit.pk]),
            )
        ],
        order=20,
    )


def may_add_plan(user: Any) -> bool:
    return has_any(user, VisitPlan, "add")
