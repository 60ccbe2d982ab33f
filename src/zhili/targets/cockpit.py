"""Cockpit provider of target management (docs/cockpit.md): the latest plan's district scores and
ranking (the stored ``Score`` rows the targets engine computes)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section
from zhili.targets import selectors


def targets_section(q: CockpitQuery) -> Section | None:
    plan = selectors.plan_latest(q.user)
    if plan is None:
        return None
    ranked = selectors.ranking(q.user, plan, "district")
    by_code = {r.score.area.code: r for r in ranked}
    own = by_code.get(q.area.code)
    children: dict[str, float | int | None] = {
        c: float(by_code[c].score.total) for c in q.child_codes if c in by_code
    }
    figures = [
        Figure("targets.score", gettext("%(year)s 年考核得分") % {"year": plan.year}, float(own.score.total) if own else None,
               kind="score", unit=gettext("分"), children=children, map=True,
               note=gettext("区县得分（含负面清单扣分，一票否决者记否决分）")),
        Figure("targets.rank", gettext("考核排名"), own.rank if own else None, unit=gettext("名"),
               higher_is_better=False,
               children={c: by_code[c].rank for c in q.child_codes if c in by_code}),
    ]  # fmt: skip
    return Section("targets", gettext("目标考核"), figures, reverse("targets:ranking", args=[plan.pk]),
                   order=20)  # fmt: skip


PROVIDERS = [targets_section]
