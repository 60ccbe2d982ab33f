"""平安乡镇/村社区 creation scoring (DOMAIN.md §7) on the targets engine's terms.

A sheet's items are scored from the modules' own figures for the area and year: the matters'
rates (``metrics.matter_metrics``, read from the rollups), the disputes' mediation success rate
(agreed ÷ (agreed + failed), as the disputes' statistics count it) and the indicators, read as
the system: the score of an area is the same for everyone allowed to see its sheet (the viewer's
right is checked once, on the area). The arithmetic is the targets engine's own
``targets.scoring.sheet_score``, the code path ``score_compute`` takes: items without data are left
out and the others rescaled to 100 (as a task without counted milestones); a veto caps the total
at 0; the result is the engine's ``Result`` with one explanation entry per point given or taken.
What differs from a plan is the ``Policy``: 达标/未达标 against the sheet's pass line, and no data
at all scores 0 where a plan with nothing due yet scores 100.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.core.scoping import path_prefix_q, require_at
from zhili.targets import scoring
from zhili.targets.scoring import ZERO

DEFAULT_ITEMS: list[dict[str, Any]] = [
    {"key": "on_time_close", "label": "诉求按期结案率", "points": 30,
     "source": "matters:on_time_close_rate", "full_at": 0.95, "zero_at": 0.60},
    {"key": "satisfaction", "label": "群众满意率（回访）", "points": 30,
     "source": "matters:satisfaction_rate", "full_at": 0.95, "zero_at": 0.60},
    {"key": "mediation", "label": "矛盾纠纷调解成功率", "points": 20,
     "source": "disputes:success_rate", "full_at": 0.95, "zero_at": 0.60},
    {"key": "petitions", "label": "信访总人次同比不上升", "points": 20,
     "source": "yoy_not_up:petition_visits"},
]  # fmt: skip
DEFAULT_VETOES: list[dict[str, Any]] = [
    {"key": "homicide", "label": "发生命案", "source": "eight_crimes:杀人", "above": 0},
    {"key": "major_accident", "label": "发生较大生产安全事故（死亡 3 人以上，假定）",
     "source": "safety_deaths", "above": 2},
]  # fmt: skip


@dataclass
class Facts:
    """What the sheet reads for one area and year (None: no data)."""

    rates: dict[str, float | None]  # "matters:on_time_close_rate" → share
    samples: dict[str, int]  # same keys → denominator
    totals: dict[str, Decimal]  # indicator code → year total
    previous: dict[str, Decimal]  # indicator code → the year before, same months
    components: dict[str, dict[str, int]]


def _linear(value: float, full_at: float, zero_at: float) -> Decimal:
    if value >= full_at:
        return Decimal(1)
    if value <= zero_at:
        return ZERO
    return Decimal(str((value - zero_at) / (full_at - zero_at)))


def _graded_against(pass_line: Decimal) -> Any:
    def grade(total: Decimal, vetoed: bool) -> str:
        if vetoed:
            return gettext("一票否决")
        return gettext("达标") if total >= pass_line else gettext("未达标")

    return grade


def _no_data(left_out: list[scoring.Item]) -> list[dict[str, Any]]:
    """Each item without data, named: it is left out and the others rescaled to 100."""
    return [{**i.head, "kind": "no_data", "points": "0.00"} for i in left_out]


def creation_policy(sheet: Any) -> scoring.Policy:
    """The sheet's terms for the targets engine's scoring core: a veto scores 0, 达标 from the
    sheet's pass line, and no data at all scores 0 (a plan gives 100 while nothing is due)."""
    return scoring.Policy(
        veto_score=ZERO,
        grade=_graded_against(Decimal(sheet.pass_line)),
        empty_points=ZERO,
        empty_kind="no_data_at_all",
        left_out=_no_data,
    )


def _item(item: dict[str, Any], facts: Facts) -> scoring.Item:
    """One sheet item as the core's weighted item: the share of its points the facts earn."""
    head = {"kind": "item", "title": item["label"]}
    source = item["source"]
    if source.startswith("yoy_not_up:"):
        code = source.split(":", 1)[1]
        now, before = facts.totals.get(code), facts.previous.get(code)
        if now is None or before is None:
            return scoring.Item(Decimal(item["points"]), None, head)
        share = Decimal(1) if now <= before else ZERO
        return scoring.Item(Decimal(item["points"]), share, head,
                            {"value": str(now), "previous": str(before)})  # fmt: skip
    value = facts.rates.get(source)
    if value is None:
        return scoring.Item(Decimal(item["points"]), None, head)
    share = _linear(value, float(item["full_at"]), float(item["zero_at"]))
    detail = {"value": f"{value * 100:.2f}%", "sample": facts.samples.get(source, 0),
              "full_at": f"{float(item['full_at']) * 100:.0f}%",
              "zero_at": f"{float(item['zero_at']) * 100:.0f}%"}  # fmt: skip
    return scoring.Item(Decimal(item["points"]), share, head, detail)


def _vetoes(sheet: Any, facts: Facts) -> list[scoring.Mark]:
    out = []
    for veto in sheet.vetoes:
        code, _, part = veto["source"].partition(":")
        n = facts.components.get(code, {}).get(part, 0) if part else facts.totals.get(code, ZERO)
        if n > veto["above"]:
            out.append(scoring.Mark({"kind": "veto", "title": veto["label"], "count": str(n)}))
    return out


def creation_compute(sheet: Any, facts: Facts) -> scoring.Result:
    """Pure: the score of one area (tests compute cases by hand), by the targets engine's own
    ``sheet_score``."""
    items = [_item(item, facts) for item in sheet.items]
    return scoring.sheet_score(items, vetoes=_vetoes(sheet, facts), policy=creation_policy(sheet))


def facts_for(area: Area, year: int, today: dt.date, *, system: Any = None) -> Facts:
    """The modules' own figures for ``area`` over the year (up to ``today`` in the current one),
    read as the system, unscoped: an area's score is the same for everyone who may see its sheet,
    whatever else their roles let them read. Callers check that right first (``creation_scores``)."""
    from zhili.core.system import system_user
    from zhili.disputes.models import Dispute, Status
    from zhili.indicators import selectors
    from zhili.matters import metrics

    system = system or system_user()
    end = min(dt.date(year, 12, 31), today)
    start = dt.date(year, 1, 1)
    rates: dict[str, float | None] = {}
    samples: dict[str, int] = {}
    r = metrics.matter_metrics(system, area=area.code, start=start, end=end)
    for key in ("on_time_close_rate", "satisfaction_rate", "close_rate"):
        m: dict[str, Any] = r.measures[key]
        rates[f"matters:{key}"] = m["value"]
        samples[f"matters:{key}"] = int(m["denominator"])
    d = (
        Dispute.objects.visible_to(system)
        .filter(path_prefix_q("area_path", area.path), received_at__year=year)
        .aggregate(
            agreed=Count("id", filter=Q(agreed_at__isnull=False)),
            failed=Count("id", filter=Q(status=Status.FAILED)),
        )
    )
    decided = d["agreed"] + d["failed"]
    rates["disputes:success_rate"] = d["agreed"] / decided if decided else None
    samples["disputes:success_rate"] = decided
    f = selectors.figures(system, area, year, (1, end.month))
    return Facts(rates, samples, f.totals, f.previous, f.components)


def sheet_for(year: int, level: str) -> Any:
    """The year's sheet of a level, created with the defaults the first time it is asked for."""
    from zhili.indicators.models import CreationSheet

    sheet, _ = CreationSheet.objects.get_or_create(
        year=year, level=level, defaults={"items": DEFAULT_ITEMS, "vetoes": DEFAULT_VETOES}
    )
    return sheet


@dataclass
class Scored:
    area: Area
    result: scoring.Result
    facts: Facts


def creation_scores(user: Any, area: Area, year: int, today: dt.date) -> tuple[Any, list[Scored]]:
    """A district's streets (平安乡镇) or a street's communities (平安村社区), each scored.

    The one access check: the viewer may see the sheets over ``area`` (404 otherwise); the
    scores then read the facts unscoped, so they do not depend on who is looking."""
    from zhili.areas.models import Level
    from zhili.core.errors import ValidationFailed
    from zhili.core.system import system_user
    from zhili.indicators.models import CreationLevel, CreationSheet

    require_at(user, "view", CreationSheet, area.path, noun=gettext("区域"))
    if area.level == Level.DISTRICT:
        level = CreationLevel.STREET
    elif area.level == Level.STREET:
        level = CreationLevel.COMMUNITY
    else:
        raise ValidationFailed(
            gettext("请选择区县（评平安乡镇街道）或乡镇街道（评平安村社区）"), code="invalid_area"
        )
    sheet = sheet_for(year, level)
    system = system_user()
    out = []
    for child in Area.objects.current().filter(parent=area).order_by("code"):
        facts = facts_for(child, year, today, system=system)
        out.append(Scored(child, creation_compute(sheet, facts), facts))
    return sheet, out
