"""Cockpit provider of risks (docs/cockpit.md): open red and orange risks (live, grouped counts)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section, by_child
from zhili.core.scoping import has_any, path_prefix_q
from zhili.risks.models import Level, Risk, Status


def risks_section(q: CockpitQuery) -> Section | None:
    if not has_any(q.user, Risk, "view"):
        return None
    qs = Risk.objects.visible_to(q.user).filter(
        status=Status.OPEN, level__in=[Level.RED, Level.ORANGE]
    )
    agg = {"red": Count("id", filter=Q(level=Level.RED)),
           "orange": Count("id", filter=Q(level=Level.ORANGE))}  # fmt: skip
    total = qs.filter(path_prefix_q("area_path", q.area.path)).aggregate(**agg)
    split = by_child(qs, "area_path", q, **agg)
    figures = [
        Figure("risks.red_open", gettext("在控红色（重大）风险"), total["red"], unit=gettext("个"),
               higher_is_better=False, children={c: v["red"] for c, v in split.items()}, map=True),
        Figure("risks.orange_open", gettext("在控橙色（较大）风险"), total["orange"], unit=gettext("个"),
               higher_is_better=False, children={c: v["orange"] for c, v in split.items()},
               map=True),
    ]  # fmt: skip
    return Section("risks", gettext("风险管控"), figures, reverse("risks:register"), order=30)


PROVIDERS = [risks_section]
