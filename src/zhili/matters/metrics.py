"""The measures of matters (DOMAIN.md §3 "Measures"), read from the rollups and scoped to the user.

An officer sees the figures of the areas their grants cover (an area's own rollup rows, never a
group-by over matters); staff of a responsible unit without an area grant see their unit's figures.
Only 超期未处置数 is live: an indexed count of the open matters past their current deadline.
docs/matters.md "Metrics" defines every measure exactly as computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhili.areas.models import Area
from zhili.core import tunables
from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.core.i18n import Label
from zhili.core.queries import plain_rows
from zhili.core.scoping import path_prefix_q, scope_paths
from zhili.matters.models import (
    OPEN_STATUSES,
    ROLLUP_COUNTERS,
    HandlingMode,
    Matter,
    MatterAreaAll,
    MatterAreaDay,
    MatterDuration,
    MatterDurationAll,
    MatterUnitDay,
    Topic,
    Triage,
)
from zhili.matters.rollups import DURATIONS, MAX_DEPTH, bucket_bounds
from zhili.org.models import Unit


@dataclass(frozen=True)
class Measure:
    key: str
    label: Label
    num: dict[str, int]  # counter → coefficient
    den: dict[str, int]
    definition: Label
    higher_is_better: bool = True


# Each numerator counts a subset of its denominator's cases, in the same rollup rows (the same
# day, area and unit), so no rate can pass 100 % at any level (docs/matters.md "Measures").
MEASURES: list[Measure] = [
    Measure("accept_rate", gettext_lazy("立案率"), {"accepted": 1}, {"accepted": 1, "rejected": 1},
            gettext_lazy("立案数 ÷（立案数 + 不予立案数），按作出决定的日期计")),
    Measure("sign_on_time_rate", gettext_lazy("按时签收率"), {"signed_on_time": 1}, {"signed": 1},
            gettext_lazy("签收时限内的签收次数 ÷ 签收次数，按签收日期计")),
    Measure("response_rate", gettext_lazy("响应率"), {"contact_due_on_time": 1},
            {"contact_due": 1, "contact_due_suspended": -1},
            gettext_lazy("联系时限落在期内的已派遣诉求中，在时限内首次联系群众的 ÷（联系时限落在期内的诉求 − "
            "其中挂起且尚未联系的），计入当前主办单位")),
    Measure("close_rate", gettext_lazy("结案率"), {"due_closed": 1}, {"due": 1, "due_suspended": -1},
            gettext_lazy("办结时限落在期内的诉求中已结案的 ÷（办结时限落在期内的诉求 − 其中挂起的）")),
    Measure("on_time_close_rate", gettext_lazy("按期结案率"), {"due_closed_on_time": 1},
            {"due": 1, "due_suspended": -1},
            gettext_lazy("其中在办结时限内结案的 ÷（办结时限落在期内的诉求 − 其中挂起的）")),
    Measure("rework_rate", gettext_lazy("返工率"), {"reworked": 1}, {"verified": 1},
            gettext_lazy("核查不通过（返工）次数 ÷ 核查次数"), higher_is_better=False),
    Measure("extension_rate", gettext_lazy("延期率"), {"due_extended": 1}, {"due": 1},
            gettext_lazy("办结时限落在期内的诉求中获批延期（至少一次）的 ÷ 办结时限落在期内的诉求"),
            higher_is_better=False),
    Measure("redispatch_rate", gettext_lazy("二次派遣率"), {"redispatched": 1},
            {"dispatched": 1, "redispatched": 1},
            gettext_lazy("再次派遣（退单后第二次及以后）次数 ÷ 派遣次数，按派遣日期计入接收单位"),
            higher_is_better=False),
    Measure("self_handle_rate", gettext_lazy("自行处置率"), {"self_handled": 1}, {"accepted": 1},
            gettext_lazy("网格员自行处置数 ÷ 立案数（含自行处置）")),
    Measure("solve_rate", gettext_lazy("解决率"), {"solved": 1}, {"rated": 1}, gettext_lazy("回访答“已解决”的次数 ÷ 回访次数")),
    Measure("satisfaction_rate", gettext_lazy("满意率"), {"satisfied": 1}, {"rated": 1},
            gettext_lazy("回访答“满意”的次数 ÷ 回访次数")),
    Measure("duplicate_rate", gettext_lazy("重复诉求率"), {"repeated": 1}, {"created": 1},
            gettext_lazy("期内受理的诉求中重复诉求（7 天内同一地点、同类、内容相近的再次反映，或被并单的）÷ 受理数"),
            higher_is_better=False),
    Measure("spot_pass_rate", gettext_lazy("抽查合格率"), {"spot_passed": 1}, {"spot_checked": 1},
            gettext_lazy("自行处置被抽中核实的诉求中，抽查合格的 ÷ 已抽查的，按抽查日期计")),
]  # fmt: skip
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
DEFAULT_RANK_BY = "on_time_close_rate"
DURATION_LABELS = {
    "dispatch": gettext_lazy("派遣用时"),
    "contact": gettext_lazy("首次联系用时"),
    "close": gettext_lazy("结案用时"),
}
DURATION_DEFINITIONS = {
    "dispatch": gettext_lazy("受理到首次派遣的时长（扣除挂起时间），按派遣日期计入；中位数与 P90"),
    "contact": gettext_lazy(
        "受理到首次联系群众的时长（仅已派遣的诉求，扣除挂起时间），按联系日期计入"
    ),
    "close": gettext_lazy(
        "受理到结案的时长（含自行处置和私事分流；重新办理后再结案再计一次），按结案日期计入"
    ),
}
PRESET_DAYS = (7, 30, 90)
MAX_DAYS = 3 * 366


def min_sample() -> int:
    return int(tunables.value("matters.ranking_min_sample"))


def measure_values(counts: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """{key: {"value": share in 0..1 or None, "numerator", "denominator"}} from counters."""
    out = {}
    for m in MEASURES:
        num = sum(counts.get(k, 0) * c for k, c in m.num.items())
        den = sum(counts.get(k, 0) * c for k, c in m.den.items())
        out[m.key] = {"value": num / den if den > 0 else None, "numerator": num, "denominator": den}
    return out


def percentiles(hist: Mapping[int, int]) -> dict[str, float | int | None]:
    """Median and P90 (nearest rank, placed geometrically inside its bucket), in hours."""
    n = sum(hist.values())
    out: dict[str, float | int | None] = {"n": n, "median": None, "p90": None}
    for name, pct in (("median", 50), ("p90", 90)):
        if n == 0:
            continue
        rank, seen = max(1, (pct * n + 99) // 100), 0  # nearest rank: ceil(pct% of n)
        for b in sorted(hist):
            if seen + hist[b] >= rank:
                lo, hi = bucket_bounds(b)
                frac = (rank - seen - 0.5) / hist[b]
                value = lo + (hi - lo) * frac if lo == 0 else lo * (hi / lo) ** frac
                out[name] = round(value / 3600, 2)
                break
            seen += hist[b]
    return out


# Period -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    preset: int | None = None

    @property
    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def period_parse(
    *, start: Any = None, end: Any = None, days: Any = None, today: dt.date | None = None
) -> Period:
    """``from``/``to`` (YYYY-MM-DD, inclusive) or the last ``days`` days (default 30)."""
    today = today or timezone.localdate()
    if start or end:
        a, b = (
            _date(start, gettext("开始日期")) or _date(end, gettext("结束日期")),
            _date(end, gettext("结束日期")) or today,
        )
        if a is None or b is None or a > b:
            raise ValidationFailed(gettext("开始日期不能晚于结束日期"), code="invalid_period")
        if (b - a).days + 1 > MAX_DAYS:
            raise ValidationFailed(
                gettext("统计区间最长 %(MAX_DAYS)s 天") % {"MAX_DAYS": MAX_DAYS},
                code="invalid_period",
            )
        return Period(a, b)
    try:
        n = int(days) if days not in (None, "") else 30
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("天数须为整数"), code="invalid_period") from None
    if not 1 <= n <= MAX_DAYS:
        raise ValidationFailed(
            gettext("天数须在 1 到 %(MAX_DAYS)s 之间") % {"MAX_DAYS": MAX_DAYS},
            code="invalid_period",
        )
    return Period(today - dt.timedelta(days=n - 1), today, preset=n)


def _date(value: Any, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            gettext("%(label)s格式应为 YYYY-MM-DD") % {"label": label}, code="invalid_period"
        ) from None


# Scope --------------------------------------------------------------------------------------------


@dataclass
class View:
    """Whose figures: an area (or the user's several top areas), or one unit's; ``dims``: the
    rollup rows of the chosen 三事/四事/五事 only (``matter_dims``: the same over the matters)."""

    roots: list[Area]
    area: Area | None
    unit: Unit | None = None
    crumbs: list[Area] = field(default_factory=list)
    dims: Q = field(default_factory=Q)
    matter_dims: Q = field(default_factory=Q)
    durations: bool = True  # False: no duration histograms (a caller that shows no medians)

    @property
    def areas(self) -> list[Area]:
        return [self.area] if self.area else self.roots


# 三事分流, 四事四办 and 五事共抓: the rollups are keyed on a matter's current 三事 and 四事, and on
# its category (whose topic is the 五事). ``none`` is a matter not triaged (yet).
UNTRIAGED = "none"
DIMENSIONS: dict[str, tuple[str, str, dict[str, Any]]] = {
    # by / filter name: (rollup field, matter field, value → label)
    "triage": ("triage", "triage", {**dict(Triage.choices), UNTRIAGED: gettext_lazy("未分流")}),
    "mode": ("handling_mode", "handling_mode", dict(HandlingMode.choices)),
    "topic": ("category__topic", "category__topic", dict(Topic.choices)),
}
DIMENSION_LABELS = {
    "triage": gettext_lazy("三事分流"),
    "mode": gettext_lazy("四事四办"),
    "topic": gettext_lazy("五事"),
}


def dims_q(filters: Mapping[str, str]) -> tuple[Q, Q]:
    """The rollup rows' and the matters' filter for ``{"triage": "big", "mode": "", …}``
    (422 ``invalid_filter`` for a value that is none of the choices)."""
    rows, matters = Q(), Q()
    for name, value in filters.items():
        if not value:
            continue
        row_field, matter_field, labels = DIMENSIONS[name]
        if value not in labels:
            raise ValidationFailed(
                gettext("%(what)s的取值无效：%(value)s")
                % {"what": DIMENSION_LABELS[name], "value": value},
                code="invalid_filter",
            )
        stored = "" if value == UNTRIAGED else value
        rows &= Q(**{row_field: stored})
        matters &= Q(**{matter_field: stored})
    return rows, matters


def view_for(user: Any, area_code: str = "") -> View:
    paths = scope_paths(user, Matter, "view")
    unit = None
    if paths is None:
        roots = list(Area.objects.filter(code=settings.ZHILI_ROOT_CODE))
    elif paths:
        roots = list(Area.objects.filter(path__in=paths).order_by("path"))
    else:
        unit = getattr(user, "unit", None) if user.is_authenticated else None
        if unit is None or not unit.is_active:
            raise PermissionDenied(gettext("您没有查看诉求统计的权限"), code="forbidden")
        roots = list(Area.objects.filter(code=settings.ZHILI_ROOT_CODE))
    area = roots[0] if len(roots) == 1 else None
    if area_code:
        found = Area.objects.filter(code=area_code).first()
        root = next((r for r in roots if found and found.path.startswith(r.path)), None)
        if found is None or root is None:
            raise NotFound(
                gettext("区域 %(area_code)s 不存在或不在您的管辖范围内") % {"area_code": area_code},
                code="area_not_found",
            )
        if found.depth > MAX_DEPTH:
            raise ValidationFailed(gettext("统计最细到网格"), code="area_too_fine")
        area = found
    crumbs: list[Area] = []
    if area is not None:
        root = next(r for r in roots if area.path.startswith(r.path))
        codes = [c for c in area.path.split("/") if c][root.depth :]
        found_areas = {a.code: a for a in (*roots, area)}
        missing = [c for c in codes if c not in found_areas]
        if missing:
            found_areas.update((a.code, a) for a in Area.objects.filter(code__in=missing))
        crumbs = [found_areas[c] for c in codes if c in found_areas]
    return View(roots=roots, area=area, unit=unit, crumbs=crumbs)


def _area_rows_q(a: Area) -> Q:
    """The rollup rows whose sum is area ``a``'s figures (the city sums its districts)."""
    if a.depth == 0:
        return Q(depth=1) & path_prefix_q("area_path", a.path)
    return Q(area_path=a.path)


def _total_q(view: View) -> Q:
    q = Q(pk__in=[])
    for a in view.areas:
        q |= _area_rows_q(a)
    return q


def _children_q(view: View) -> Q | None:
    if view.area is None:
        return _total_q(view)  # grouped by path, the rows are the user's top areas
    if view.area.depth >= MAX_DEPTH:
        return None
    return Q(depth=view.area.depth + 1) & path_prefix_q("area_path", view.area.path)


# Reads --------------------------------------------------------------------------------------------


def _sums() -> dict[str, Sum]:
    return {k: Sum(k) for k in ROLLUP_COUNTERS}


def _clean(row: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(row.get(k) or 0) for k in ROLLUP_COUNTERS}


def _add(into: dict[str, int], counts: Mapping[str, int]) -> dict[str, int]:
    for k in ROLLUP_COUNTERS:
        into[k] += counts[k]
    return into


def _counter_rows(view: View, by_unit: bool, by_dimension: bool = False) -> QuerySet[Any]:
    """The counter rows to sum: without a 三事/四事/五事 filter or grouping, an area view reads the
    rows summed over categories and dimensions (``MatterAreaAll``: one per area and day)."""
    if view.unit is not None:
        return MatterUnitDay.objects.filter(view.dims, unit=view.unit)
    if by_unit:
        return MatterUnitDay.objects.filter(view.dims)
    if not view.dims and not by_dimension:
        return MatterAreaAll.objects.all()
    return MatterAreaDay.objects.filter(view.dims)


Hists = dict[str, dict[int, int]]  # measure → bucket → n


def _hists(view: View, q: Q, period: Period, group: str | None) -> dict[Any, Hists]:
    """Duration histograms of the rows ``q`` (summed over days and categories), per ``group``.

    Without a 三事/四事/五事 filter or grouping they are read from the rows already summed over
    categories and dimensions (``MatterDurationAll``, 0012); grouped by area, the query matches
    its partial index (as matter_duration_all_units_idx, 0004, for ``MatterDuration``): an
    index-only scan already in (depth, area_path, measure, bucket) order, so no hashing."""
    if not view.durations:
        return {}
    dimension = group in {row_field for row_field, _m, _l in DIMENSIONS.values()}
    table = MatterDurationAll if not view.dims and not dimension else MatterDuration
    rows = table.objects.filter(q, view.dims, day__gte=period.start, day__lte=period.end)
    if view.unit is not None:
        rows = rows.filter(unit_id=view.unit.pk)
    elif group == "unit_id":
        rows = rows.exclude(unit_id=0)
    else:
        rows = rows.filter(unit_id=0)
    fields_ = [f for f in (group, "measure", "bucket") if f]
    found = rows.values(*fields_).annotate(n_sum=Sum("n")).order_by(*fields_)
    hists: dict[Any, Hists] = {}
    # Thousands of rows for the city (district × measure × bucket), every column text or integer.
    for *keys, measure, bucket, n in plain_rows(found.values_list(*fields_, "n_sum")):
        key = keys[0] if keys else None
        hist = hists.get(key)
        if hist is None:
            hist = hists[key] = {m: {} for m in DURATIONS}
        hist[measure][bucket] = n
    return hists


def _merged(hists: dict[Any, Hists]) -> Hists:
    out: Hists = {m: {} for m in DURATIONS}
    for h in hists.values():
        for m, buckets in h.items():
            for b, n in buckets.items():
                out[m][b] = out[m].get(b, 0) + n
    return out


def _percentiles(h: Hists | None) -> dict[str, dict[str, Any]]:
    return {m: percentiles(h[m] if h else {}) for m in DURATIONS}


def _durations(view: View, q: Q, period: Period, group: str | None) -> dict[Any, dict[str, Any]]:
    return {k: _percentiles(h) for k, h in _hists(view, q, period, group).items()}


def _open_overdue(user: Any, view: View) -> QuerySet[Matter]:
    now = timezone.now()
    qs = Matter.objects.visible_to(user).filter(status__in=OPEN_STATUSES, due_at__lt=now)
    qs = qs.filter(view.matter_dims)
    if view.unit is not None:
        return qs.filter(lead_unit=view.unit)
    if any(a.depth == 0 for a in view.areas):
        return qs  # the whole city (a range over every path would cost SQLite the due index)
    q = Q(pk__in=[])
    for a in view.areas:
        q |= path_prefix_q("area_path", a.path)
    return qs.filter(q)


@dataclass
class Overdue:
    """The open matters past their deadline, counted in one grouped query (the (status, due_at)
    index): in all, per row of the table (area or unit) and per district."""

    total: int = 0
    rows: dict[Any, int] = field(default_factory=dict)
    districts: dict[str, int] = field(default_factory=dict)


def _overdue(
    qs: QuerySet[Matter], *, areas: list[Area] | None = None, by_unit: bool = False,
    districts: bool = False, field: str = "",
) -> Overdue:  # fmt: skip
    """``areas``: count per area (a matter counts for every listed area its path lies under);
    ``by_unit``: per lead unit; ``field``: per value of a matter field (三事, 四事, 五事);
    ``districts``: per district code."""
    group: dict[str, Any] = {}
    if field:
        by_unit, group["row_key"] = True, F(field)  # counted per key, as the units are
    if areas:
        lengths = {len(a.path) for a in areas}
        # Sibling areas share a path length: group by that prefix of the path (a row per area,
        # not one per grid).
        group["row_key"] = Left("area_path", lengths.pop()) if len(lengths) == 1 else F("area_path")
    elif by_unit:
        group["row_key"] = F("lead_unit_id")
    if districts:
        group["district_key"] = F("district_code")
    out = Overdue()
    if not group:
        out.total = qs.count()
        return out
    paths = {a.path for a in areas or []}
    rows: Any = qs.values(**group).annotate(n=Count("*")).order_by()
    for r in rows:
        n = r["n"]
        out.total += n
        if districts:
            d = r["district_key"]
            out.districts[d] = out.districts.get(d, 0) + n
        key = r.get("row_key")
        if areas:
            for p in _prefixes(key):
                if p in paths:
                    out.rows[p] = out.rows.get(p, 0) + n
        elif by_unit and key is not None:
            out.rows[key] = out.rows.get(key, 0) + n
    return out


def _prefixes(path: str) -> list[str]:
    """The paths ``path`` starts with: "a/b/c/" → ["a/", "a/b/", "a/b/c/"]. A scope path ends in
    "/", so ``path.startswith(area.path)`` exactly when ``area.path`` is one of these (the same
    counts as the former loop over every (row, area) pair, without its cost)."""
    out, i = [], path.find("/")
    while i >= 0:
        out.append(path[: i + 1])
        i = path.find("/", i + 1)
    return out


@dataclass
class Report:
    view: View
    period: Period
    by: str
    rank_by: str
    min_sample: int
    counts: dict[str, int]
    measures: dict[str, dict[str, Any]]
    durations: dict[str, dict[str, Any]]
    overdue: int
    trend: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    districts: list[dict[str, Any]]
    filters: dict[str, str] = field(default_factory=dict)  # 三事/四事/五事 chosen


def matter_metrics(
    user: Any,
    *,
    area: str = "",
    start: Any = None,
    end: Any = None,
    days: Any = None,
    by: str = "area",
    rank_by: str = "",
    triage: str = "",
    mode: str = "",
    topic: str = "",
    durations: bool = True,
) -> Report:
    """Everything the metrics page, the API and the export show, for one user and period.

    A fixed handful of queries, each over the rollup rows of one level (for the city: the
    district rows) or, for the live overdue counts, over the open matters past their deadline.
    The totals are the sum of the per-area groups of the same rows, and where the table's rows
    are those same groups (the city, or several top areas) they are read once."""
    if by not in ("area", "unit", *DIMENSIONS):
        raise ValidationFailed(
            gettext("by 只能是 area、unit、triage、mode 或 topic"), code="invalid_by"
        )
    rank_by = rank_by or DEFAULT_RANK_BY
    if rank_by not in MEASURE_BY_KEY:
        raise ValidationFailed(
            gettext("未知的排名指标 %(rank_by)s") % {"rank_by": rank_by}, code="invalid_rank_by"
        )
    period = period_parse(start=start, end=end, days=days)
    view = view_for(user, area)
    view.dims, view.matter_dims = dims_q({"triage": triage, "mode": mode, "topic": topic})
    view.durations = durations
    in_period = Q(day__gte=period.start, day__lte=period.end)
    total_q = _total_q(view)
    base = _counter_rows(view, by_unit=False).filter(in_period, total_q)
    # Per area path (a handful: the districts for the city, else the view's own rows).
    by_path = {r["area_path"]: _clean(r) for r in base.values("area_path").annotate(**_sums())}
    counts = dict.fromkeys(ROLLUP_COUNTERS, 0)
    for c in by_path.values():
        _add(counts, c)
    per_day = base.values("day").annotate(
        created_n=Sum("created"),
        closed_n=Sum("closed"),
        first=Sum("dispatched"),
        later=Sum("redispatched"),
    )
    by_day = {
        r["day"]: {
            "created": int(r["created_n"] or 0),
            "dispatched": int(r["first"] or 0) + int(r["later"] or 0),
            "closed": int(r["closed_n"] or 0),
        }
        for r in per_day
    }
    empty = {"created": 0, "dispatched": 0, "closed": 0}
    trend = [{"day": day, **by_day.get(day, empty)} for day in period.days]
    overdue_qs = _open_overdue(user, view)
    # The choropleth's districts are the view's own rows when it is the city or districts.
    with_districts = view.unit is None and all(a.depth <= 1 for a in view.areas)
    # The table's rows are the view's own rows, grouped by path, for the city or several areas.
    rows_are_total = by == "area" and (view.area is None or view.area.depth == 0)
    total_hists: Hists | None = None
    children = Children()
    if by in DIMENSIONS:
        overdue = _overdue(overdue_qs, field=DIMENSIONS[by][1], districts=with_districts)
        rows = _dimension_rows(view, period, by, overdue)
    elif by == "unit":
        overdue = _overdue(overdue_qs, by_unit=True, districts=with_districts)
        rows = _unit_rows(view, period, overdue)
    else:
        children = _children(view, period, by_path if rows_are_total else None)
        overdue = _overdue(overdue_qs, areas=children.areas, districts=with_districts)
        if rows_are_total:
            total_hists = _merged(children.hists)
        else:  # read before the rows: the 本级 row's histograms are the total's less the rows'
            total_hists = _hists(view, total_q, period, None).get(None)
        rows = _area_rows(view, period, counts, children, overdue, total_hists)
    if total_hists is None and by != "area":
        total_hists = _hists(view, total_q, period, None).get(None)
    _rank(rows, rank_by, min_sample())
    return Report(
        view=view,
        period=period,
        by=by,
        rank_by=rank_by,
        min_sample=min_sample(),
        counts=counts,
        measures=measure_values(counts),
        durations=_percentiles(total_hists),
        overdue=overdue.total,
        trend=trend,
        rows=rows,
        districts=_districts(by_path, overdue, children.areas) if with_districts else [],
        filters={"triage": triage, "mode": mode, "topic": topic},
    )


def _row(key: str, name: str, counts: dict[str, int], **extra: Any) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "counts": counts,
        "measures": measure_values(counts),
        "durations": {m: percentiles({}) for m in DURATIONS},
        "overdue": 0,
        "drill": None,
        "rank": None,
        "sample": 0,
        "ranked": False,
        **extra,
    }


@dataclass
class Children:
    """The areas the table lists, with their rollup sums and duration histograms by path."""

    areas: list[Area] = field(default_factory=list)
    grouped: dict[str, dict[str, int]] = field(default_factory=dict)
    hists: dict[Any, Hists] = field(default_factory=dict)


def _children(view: View, period: Period, grouped: dict[str, dict[str, int]] | None) -> Children:
    """``grouped``: the sums by path when the table's rows are the view's own rows (read once)."""
    q = _children_q(view)
    if q is None:
        return Children()
    if grouped is None:
        in_period = Q(day__gte=period.start, day__lte=period.end)
        grouped = {
            r["area_path"]: _clean(r)
            for r in _counter_rows(view, by_unit=False)
            .filter(in_period, q)
            .values("area_path")
            .annotate(**_sums())
        }
    if view.area is None:
        children = list(view.roots)
    else:
        children = list(Area.objects.current().filter(parent=view.area).order_by("code"))
    known = {a.path for a in children}
    extra = [p for p in grouped if p not in known]  # ended areas that still hold history
    if extra:
        children += list(Area.objects.filter(path__in=extra).order_by("code"))
    if view.unit is not None:  # a unit sees only the areas where it has figures
        children = [a for a in children if a.path in grouped]
    return Children(children, grouped, _hists(view, q, period, "area_path"))


def _area_rows(
    view: View,
    period: Period,
    total: dict[str, int],
    children: Children,
    overdue: Overdue,
    total_hists: Hists | None = None,
) -> list[dict[str, Any]]:
    if _children_q(view) is None:
        return []
    rows = []
    for a in children.areas:
        counts = children.grouped.get(a.path) or dict.fromkeys(ROLLUP_COUNTERS, 0)
        name = a.name if a.is_current else gettext("%(name)s（已撤销）") % {"name": a.name}
        rows.append(
            _row(
                a.code,
                name,
                counts,
                durations=_percentiles(children.hists.get(a.path)),
                overdue=overdue.rows.get(a.path, 0),
                drill=a.code if a.depth < MAX_DEPTH else None,
            )
        )
    if view.area is not None and view.area.depth > 0:
        rest = {k: total[k] - sum(r["counts"][k] for r in rows) for k in ROLLUP_COUNTERS}
        if any(rest.values()):
            hists = _rest_hists(total_hists, [children.hists.get(a.path) for a in children.areas])
            durations = _percentiles(hists)
            late = overdue.total - sum(r["overdue"] for r in rows)
            rows.append(
                _row("", gettext("本级（未细分到下级区域）"), rest, rankable=False, durations=durations,
                     overdue=late)
            )  # fmt: skip
    return rows


def _rest_hists(total: Hists | None, parts: list[Hists | None]) -> Hists:
    """The total's histograms less the listed rows' (the matters registered at the area itself)."""
    out: Hists = {m: dict((total or {}).get(m, {})) for m in DURATIONS}
    for h in parts:
        for m, buckets in (h or {}).items():
            for b, n in buckets.items():
                out[m][b] = out[m].get(b, 0) - n
    return {m: {b: n for b, n in buckets.items() if n > 0} for m, buckets in out.items()}


def _unit_rows(view: View, period: Period, overdue: Overdue) -> list[dict[str, Any]]:
    in_period = Q(day__gte=period.start, day__lte=period.end)
    total_q = _total_q(view)
    rows_qs = _counter_rows(view, by_unit=True).filter(in_period, total_q)
    grouped = {r["unit_id"]: _clean(r) for r in rows_qs.values("unit_id").annotate(**_sums())}
    names = dict(Unit.objects.filter(pk__in=list(grouped)).values_list("pk", "name"))
    durations = _durations(view, total_q, period, "unit_id")
    return [
        _row(
            str(pk),
            names.get(pk, str(pk)),
            counts,
            durations=durations.get(pk) or _percentiles(None),
            overdue=overdue.rows.get(pk, 0),
        )
        for pk, counts in sorted(grouped.items(), key=lambda kv: names.get(kv[0], ""))
    ]


def _dimension_rows(view: View, period: Period, by: str, overdue: Overdue) -> list[dict[str, Any]]:
    """One row per 三事分流 / 四事四办 / 五事 value, from the same rollup rows as the totals."""
    row_field, _matter_field, labels = DIMENSIONS[by]
    in_period = Q(day__gte=period.start, day__lte=period.end)
    total_q = _total_q(view)
    rows_qs = _counter_rows(view, by_unit=False, by_dimension=True).filter(in_period, total_q)
    grouped = {r[row_field]: _clean(r) for r in rows_qs.values(row_field).annotate(**_sums())}
    durations = _durations(view, total_q, period, row_field)
    out = []
    for value, label in labels.items():
        stored = "" if value == UNTRIAGED else value
        counts = grouped.get(stored) or dict.fromkeys(ROLLUP_COUNTERS, 0)
        out.append(
            _row(
                value,
                str(label),
                counts,
                durations=durations.get(stored) or _percentiles(None),
                overdue=overdue.rows.get(stored, 0),
            )
        )
    return out


def _rank(rows: list[dict[str, Any]], rank_by: str, minimum: int) -> None:
    """Rank rows with at least ``minimum`` cases in the measure's denominator (ties share a rank);
    the others are listed after them as 样本不足."""
    measure = MEASURE_BY_KEY[rank_by]
    for r in rows:
        m = r["measures"][rank_by]
        r["sample"] = m["denominator"]
        r["ranked"] = (
            r.get("rankable", True) and m["value"] is not None and m["denominator"] >= minimum
        )
    sign = -1 if measure.higher_is_better else 1
    ranked = sorted(
        (r for r in rows if r["ranked"]), key=lambda r: sign * r["measures"][rank_by]["value"]
    )
    previous, place = None, 0
    for i, r in enumerate(ranked, start=1):
        value = r["measures"][rank_by]["value"]
        if value != previous:
            place, previous = i, value
        r["rank"] = place
    others = sorted((r for r in rows if not r["ranked"]), key=lambda r: -r["counts"]["created"])
    rows[:] = ranked + others


def _districts(
    by_path: dict[str, dict[str, int]], overdue: Overdue, listed: list[Area]
) -> list[dict[str, Any]]:
    """Per-district satisfaction and live overdue counts, for the choropleth (area views at or
    above the district level, whose own rollup rows are the district rows: ``by_path``)."""
    by_code = {path.rstrip("/").rsplit("/", 1)[-1]: c for path, c in by_path.items()}
    codes = set(by_code) | set(overdue.districts)
    known = {a.code: a.name for a in listed}  # the table's areas: for the city, the districts
    names = {c: known[c] for c in codes if c in known}
    if len(names) < len(codes):
        missing = codes - set(names)
        names.update(Area.objects.filter(code__in=missing).values_list("code", "name"))
    out = []
    for code in sorted(codes):
        c = by_code.get(code)
        rated = c["rated"] if c else 0
        out.append(
            {
                "code": code,
                "name": names.get(code, code),
                "overdue": overdue.districts.get(code, 0),
                "rated": rated,
                "satisfaction": (c["satisfied"] / rated) if c and rated else None,
            }
        )
    return out


def report_json(r: Report) -> dict[str, Any]:
    """The report as plain data: the API's answer and the page's chart data."""

    def area_ref(a: Area) -> dict[str, str]:
        return {"code": a.code, "name": a.name, "level": a.level}

    def durations(d: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "measure": m,
                "label": str(DURATION_LABELS[m]),
                "n": d[m]["n"],
                "median_hours": d[m]["median"],
                "p90_hours": d[m]["p90"],
            }
            for m in DURATIONS
        ]

    def measures(values: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{"key": m.key, "label": str(m.label), **values[m.key]} for m in MEASURES]

    return {
        "scope": {
            "areas": [area_ref(a) for a in r.view.areas],
            "area": area_ref(r.view.area) if r.view.area else None,
            "unit": {"id": r.view.unit.pk, "name": r.view.unit.name} if r.view.unit else None,
        },
        "period": {"from": r.period.start.isoformat(), "to": r.period.end.isoformat()},
        "by": r.by,
        "filters": r.filters,
        "rank_by": r.rank_by,
        "min_sample": r.min_sample,
        "totals": {
            "counts": r.counts,
            "measures": measures(r.measures),
            "overdue_open": r.overdue,
            "durations": durations(r.durations),
        },
        "trend": [{**t, "day": t["day"].isoformat()} for t in r.trend],
        "rows": [
            {
                "key": row["key"],
                "name": row["name"],
                "drill": row["drill"],
                "rank": row["rank"],
                "sufficient_sample": row["ranked"],
                "sample": row["sample"],
                "overdue_open": row["overdue"],
                "counts": row["counts"],
                "measures": {k: v["value"] for k, v in row["measures"].items()},
                "durations": durations(row["durations"]),
            }
            for row in r.rows
        ],
        "districts": r.districts,
    }
