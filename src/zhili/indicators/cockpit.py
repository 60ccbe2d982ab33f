"""Cockpit provider of the outcome indicators and the survey (docs/cockpit.md): the indicator
totals of the year of the period's end (January to that month), by month, and the year's
sense-of-security rate."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section, TrendSeries
from zhili.core.scoping import has_any
from zhili.indicators import selectors
from zhili.indicators.models import Indicator, IndicatorValue, SurveyWave


def indicators_section(q: CockpitQuery) -> Section | None:
    if not has_any(q.user, IndicatorValue, "view"):
        return None
    year, month = q.end.year, q.end.month
    f = selectors.figures(q.user, q.area, year, (1, month), details=False)
    figures, trends = [], []
    for ind in Indicator.objects.filter(active=True):
        total = f.totals.get(ind.code)
        figures.append(
            Figure(
                f"indicators.{ind.code}",
                gettext("%(name)s（%(year)s 年 1–%(month)s 月）")
                % {"name": ind.name, "year": year, "month": month},
                float(total) if total is not None else 0,
                unit=ind.unit_label,
                higher_is_better=ind.higher_is_better,
                children={c: float(v.get(ind.code, 0)) for c, v in f.children.items()},
                note=ind.description,
                map=True,
            )
        )
        months = f.by_month.get(ind.code, {})
        trends.append(
            TrendSeries(
                ind.name,
                [(f"{year}-{mm:02d}", float(months.get(mm, 0))) for mm in range(1, month + 1)],
            )
        )
    if has_any(q.user, SurveyWave, "view"):
        row, rows = selectors.survey_overview(q.user, q.area, year)
        kids = {r.area.code: r.rate.rate for r in rows}
        if row is not None:
            figures.append(
                Figure(
                    "indicators.survey_rate",
                    gettext("群众安全感率（%(year)s 年）") % {"year": year},
                    row.rate.rate,
                    kind="rate",
                    children=kids,
                    map=True,
                    note=gettext("很安全、安全、基本安全占有效回答的比例（可配置）"),
                )
            )
    query = urlencode({"area": q.area.code, "year": year})
    return Section("indicators", gettext("平安指标"), figures, f"{reverse('indicators:values')}?{query}",
                   trends, order=60)  # fmt: skip


PROVIDERS = [indicators_section]
