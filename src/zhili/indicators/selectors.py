"""Reads of the indicators app, scoped: figures per area and period, and the survey's rates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, FloatField, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.core.scoping import one_visible, path_prefix_q
from zhili.indicators.models import (
    CreationSheet,
    Indicator,
    IndicatorRevision,
    IndicatorValue,
    SurveyInstrument,
    SurveyResponse,
    SurveyWave,
)
from zhili.indicators.survey import Group, Rate, rate_of_groups


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


def figures(
    user: Any,
    area: Area,
    year: int,
    months: tuple[int, int] = (1, 12),
    *,
    details: bool = True,
) -> Figures:
    """Sums of the values recorded in ``area``'s subtree (values are recorded at one level per
    indicator and month, ``services._check_one_level``); children by the path's next code.
    ``details=False`` leaves out the year before and the components (the cockpit shows neither;
    the components are JSON read row by row)."""
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
    if not details:
        return out
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


def _groups(
    inst: SurveyInstrument, user: Any, area_path: str, years: list[int]
) -> dict[tuple[str, int], list[Group]]:
    """The answers in ``area_path``'s subtree, summed by the database per (the sample's area
    path, year) and answer: one query, a few rows per sample, whatever the number of answers."""
    one = Value(1.0, output_field=FloatField())
    weight = Cast("weight", FloatField())
    rows = (
        SurveyResponse.objects.visible_to(user)
        .filter(wave__instrument=inst, wave__year__in=years)
        .filter(path_prefix_q("wave__area_path", area_path))
        .values("wave__area_path", "wave__year", "answer")
        .annotate(
            n=Count("id"),
            weighted=Count("weight"),
            sw=Sum(Coalesce(weight, one)),
            sw2=Sum(Coalesce(weight * weight, one)),
        )
        .order_by()
    )
    out: dict[tuple[str, int], list[Group]] = defaultdict(list)
    for r in rows:
        out[(r["wave__area_path"], r["wave__year"])].append(
            Group(r["answer"], r["n"], r["weighted"], float(r["sw"]), float(r["sw2"]))
        )
    return out


def _pooled(inst: SurveyInstrument, parts: list[list[Group]]) -> Rate:
    return rate_of_groups(
        [g for p in parts for g in p],
        scale=inst.scale,
        positive=inst.positive,
        confidence=float(inst.confidence),
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
    groups = _groups(inst, user, area.path, [year, year - 1])
    now = [g for (_p, y), g in groups.items() if y == year]
    before = [g for (_p, y), g in groups.items() if y == year - 1]
    return SurveyRow(area, _pooled(inst, now), _pooled(inst, before), planned)


def survey_children(user: Any, area: Area, year: int) -> list[SurveyRow]:
    """A row per child area holding a sample (for the city: per district)."""
    return survey_overview(user, area, year)[1]


def survey_overview(user: Any, area: Area, year: int) -> tuple[SurveyRow | None, list[SurveyRow]]:
    """``survey_rate`` of the area and ``survey_children``, from one read of the answers."""
    inst = instrument_default()
    if inst is None:
        return None, []
    # Three queries for the area and every child at once (not two per child): the samples'
    # planned sizes and the answers, each by the sample's area path, then pooled in Python.
    waves = list(
        waves_visible(user)
        .filter(instrument=inst, year__in=[year, year - 1])
        .filter(path_prefix_q("area_path", area.path))
        .values("area_path", "year")
        .annotate(n=Sum("planned"))
        .order_by()
    )
    planned_by_path = [w for w in waves if w["year"] == year]
    child_codes = sorted({_child_code(w["area_path"], area.depth) for w in waves} - {""})
    children = list(Area.objects.filter(code__in=child_codes).order_by("code"))
    groups = _groups(inst, user, area.path, [year, year - 1])
    total = SurveyRow(
        area,
        _pooled(inst, [g for (_p, y), g in groups.items() if y == year]),
        _pooled(inst, [g for (_p, y), g in groups.items() if y == year - 1]),
        sum(r["n"] or 0 for r in planned_by_path),
    )
    out = []
    for child in children:
        mine = {k: g for k, g in groups.items() if k[0].startswith(child.path)}
        planned = sum(r["n"] or 0 for r in planned_by_path if r["area_path"].startswith(child.path))
        now = [g for (_p, y), g in mine.items() if y == year]
        before = [g for (_p, y), g in mine.items() if y == year - 1]
        out.append(SurveyRow(child, _pooled(inst, now), _pooled(inst, before), planned))
    return total, out


def root_area() -> Area:
    return Area.objects.get(code=settings.ZHILI_ROOT_CODE)


def area_for(user: Any, code: str, model: str = "value") -> Area:
    """The area a page or the API asks about: the city by default, 404 outside the user's scope
    (for a district officer without a code: their own district)."""
    from zhili.core.errors import NotFound
    from zhili.core.scoping import require_at, scope_paths

    m = {"wave": SurveyWave, "sheet": CreationSheet}.get(model, IndicatorValue)
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
