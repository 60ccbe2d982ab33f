"""Reads of the indicators app, scoped: figures per area and period, and the survey's rates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.core.scoping import one_visible, path_prefix_q
from zhili.indicators.models import (
    Indicator,
    IndicatorRevision,
    IndicatorValue,
    SurveyInstrument,
    SurveyResponse,
    SurveyWave,
)
from zhili.indicators.survey import Rate, rate_of


def indicator_list(user: Any) -> QuerySet[Indicator]:
    return Indicator.objects.filter(active=True)


def indicator_get(code: str) -> Indicator:
    return one_visible(Indicator.objects.filter(code=code, active=True), noun=gettext("平安指标"))


def values_visible(user: Any) -> QuerySet[IndicatorValue]:
    return IndicatorValue.objects.visible_to(user)


def value_get(user: Any, pk: int) -> IndicatorValue:
    return one_visible(values_visible(user).filter(pk=pk).select_related("indicator", "area"))


def value_revisions(value: IndicatorValue) -> QuerySet[IndicatorRevision]:
    return IndicatorRevision.objects.filter(value=value).select_related("actor").order_by("version")


def recent_values(user: Any, area: Area, year: int, limit: int = 50) -> QuerySet[IndicatorValue]:
    return (
        values_visible(user)
        .filter(path_prefix_q("area_path", area.path), year=year)
        .select_related("indicator", "area")
        .order_by("-updated_at")[:limit]
    )


@dataclass
class Figures:
    """Indicator totals over an area's subtree for a year up to a month, per child and per month."""

    area: Area
    year: int
    months: tuple[int, int]
    totals: dict[str, Decimal] = field(default_factory=dict)  # indicator code → sum
    children: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # child code → code → sum
    by_month: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    components: dict[str, dict[str, int]] = field(default_factory=dict)
    previous: dict[str, Decimal] = field(default_factory=dict)  # same months a year before


def _child_code(path: str, depth: int) -> str:
    parts = [p for p in path.split("/") if p]
    return parts[depth + 1] if len(parts) > depth + 1 else ""


def figures(user: Any, area: Area, year: int, months: tuple[int, int] = (1, 12)) -> Figures:
    """Sums of the values recorded in ``area``'s subtree (values are recorded at one level per
    indicator and month, ``services._check_one_level``); children by the path's next code."""
    lo, hi = months
    base = values_visible(user).filter(path_prefix_q("area_path", area.path))
    out = Figures(area=area, year=year, months=months)
    codes = dict(Indicator.objects.values_list("pk", "code"))
    rows = (
        base.filter(year=year, month__gte=lo, month__lte=hi)
        .values("indicator_id", "area_path", "month")
        .annotate(v=Sum("value"))
    )
    for r in rows:
        code = codes[r["indicator_id"]]
        out.totals[code] = out.totals.get(code, Decimal(0)) + r["v"]
        month = out.by_month.setdefault(code, {})
        month[r["month"]] = month.get(r["month"], Decimal(0)) + r["v"]
        child = _child_code(r["area_path"], area.depth)
        if child:
            c = out.children.setdefault(child, {})
            c[code] = c.get(code, Decimal(0)) + r["v"]
    prev = (
        base.filter(year=year - 1, month__gte=lo, month__lte=hi)
        .values("indicator_id")
        .annotate(v=Sum("value"))
    )
    out.previous = {codes[r["indicator_id"]]: r["v"] for r in prev}
    for comps in (
        base.filter(year=year, month__gte=lo, month__lte=hi)
        .exclude(components={})
        .values_list("indicator__code", "components")
    ):
        code, parts = comps
        agg = out.components.setdefault(code, defaultdict(int))
        for k, v in parts.items():
            agg[k] += int(v)
    out.components = {k: dict(v) for k, v in out.components.items()}
    return out


# Survey -------------------------------------------------------------------------------------------


def instrument_default() -> SurveyInstrument | None:
    return (
        SurveyInstrument.objects.filter(code="security").first() or SurveyInstrument.objects.first()
    )


def waves_visible(user: Any) -> QuerySet[SurveyWave]:
    return SurveyWave.objects.visible_to(user)


def wave_get(user: Any, pk: int, action: str = "view") -> SurveyWave:
    return one_visible(
        SurveyWave.objects.visible_to(user, action)
        .filter(pk=pk)
        .select_related("area", "instrument"),
        noun=gettext("调查样本"),
    )


def wave_list(user: Any, year: int | None = None) -> QuerySet[SurveyWave]:
    qs = waves_visible(user).select_related("area", "instrument")
    return qs.filter(year=year) if year else qs


def _rate(inst: SurveyInstrument, user: Any, area_path: str, year: int) -> Rate:
    answers = (
        SurveyResponse.objects.visible_to(user)
        .filter(wave__instrument=inst, wave__year=year)
        .filter(path_prefix_q("wave__area_path", area_path))
        .values_list("answer", "weight")
    )
    return rate_of(
        answers, scale=inst.scale, positive=inst.positive, confidence=float(inst.confidence)
    )


@dataclass
class SurveyRow:
    area: Area
    rate: Rate
    previous: Rate
    planned: int

    @property
    def change(self) -> float | None:
        """Year-on-year change in percentage points."""
        if self.rate.rate is None or self.previous.rate is None:
            return None
        return (self.rate.rate - self.previous.rate) * 100


def survey_rate(
    user: Any, area: Area, year: int, inst: SurveyInstrument | None = None
) -> SurveyRow | None:
    """The pooled rate of every sample in ``area``'s subtree for a year, and the year before."""
    inst = inst or instrument_default()
    if inst is None:
        return None
    planned = (
        waves_visible(user)
        .filter(instrument=inst, year=year)
        .filter(path_prefix_q("area_path", area.path))
        .aggregate(n=Sum("planned"))["n"]
        or 0
    )
    return SurveyRow(
        area, _rate(inst, user, area.path, year), _rate(inst, user, area.path, year - 1), planned
    )


def survey_children(user: Any, area: Area, year: int) -> list[SurveyRow]:
    """A row per child area holding a sample (for the city: per district)."""
    inst = instrument_default()
    if inst is None:
        return []
    paths = (
        waves_visible(user)
        .filter(instrument=inst, year__in=[year, year - 1])
        .filter(path_prefix_q("area_path", area.path))
        .values_list("area_path", flat=True)
    )
    child_codes = sorted({_child_code(p, area.depth) for p in paths} - {""})
    children = Area.objects.filter(code__in=child_codes).order_by("code")
    out = []
    for child in children:
        row = survey_rate(user, child, year, inst)
        if row is not None:
            out.append(row)
    return out


def root_area() -> Area:
    return Area.objects.get(code=settings.ZHILI_ROOT_CODE)


def area_for(user: Any, code: str, model: str = "value") -> Area:
    """The area a page or the API asks about: the city by default, 404 outside the user's scope
    (for a district officer without a code: their own district)."""
    from zhili.core.errors import NotFound
    from zhili.core.scoping import require_at, scope_paths

    m = SurveyWave if model == "wave" else IndicatorValue
    if not code:
        paths = scope_paths(user, m, "view")
        if paths:  # not everywhere: the first area the user holds the right over
            found = Area.objects.filter(path=sorted(paths)[0]).first()
            if found is not None:
                return found
        code = settings.ZHILI_ROOT_CODE
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise NotFound(gettext("区域 %(code)s 不存在") % {"code": code}, code="area_not_found")
    require_at(user, "view", m, area.path, noun=gettext("区域"))
    return area


def area_names(codes: set[str]) -> dict[str, str]:
    """Names of the child areas a table lists (areas are public reference data)."""
    return dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
