"""平安乡镇/村社区 creation scoring (DOMAIN.md §7) on the targets engine's terms.

A sheet's items are scored from the modules' own figures for the area and year: the matters'
rates (``metrics.matter_metrics``, read from the rollups), the disputes' mediation success rate
(agreed ÷ (agreed + failed), as the disputes' statistics count it) and the indicators. As in
``targets.scoring.score_compute``: items without data are left out and the others rescaled to 100
(a task without counted milestones); a veto caps the total at the plan's veto score (0 here); the
result is the engine's ``Result`` with one explanation entry per point given or taken, graded by
the engine's ``Rule`` with the sheet's pass line as 合格.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.core.errors import NotFound, PermissionDenied
from zhili.core.scoping import path_prefix_q
from zhili.targets.scoring import HUNDRED, ZERO, Result, Rule, q2

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


def creation_compute(sheet: Any, facts: Facts) -> Result:
    """Pure: the score of one area (tests compute cases by hand)."""
    rule = Rule(grade_pass=Decimal(sheet.pass_line), veto_score=ZERO)
    scored: list[tuple[dict[str, Any], Decimal, dict[str, Any]]] = []
    explanation: list[dict[str, Any]] = []
    for item in sheet.items:
        source = item["source"]
        if source.startswith("yoy_not_up:"):
            code = source.split(":", 1)[1]
            now, before = facts.totals.get(code), facts.previous.get(code)
            if now is None or before is None:
                explanation.append({"kind": "no_data", "title": item["label"], "points": "0.00"})
                continue
            share = Decimal(1) if now <= before else ZERO
            detail: dict[str, Any] = {"value": str(now), "previous": str(before)}
        else:
            value = facts.rates.get(source)
            if value is None:
                explanation.append({"kind": "no_data", "title": item["label"], "points": "0.00"})
                continue
            share = _linear(value, float(item["full_at"]), float(item["zero_at"]))
            detail = {"value": f"{value * 100:.2f}%", "sample": facts.samples.get(source, 0),
                      "full_at": f"{float(item['full_at']) * 100:.0f}%",
                      "zero_at": f"{float(item['zero_at']) * 100:.0f}%"}  # fmt: skip
        scored.append((item, share, detail))
    total_weight = sum((Decimal(i["points"]) for i, _, _ in scored), start=ZERO)
    base = ZERO
    for item, share, detail in scored:
        full = HUNDRED * Decimal(item["points"]) / total_weight
        points = q2(full * share)
        base += points
        explanation.append({"kind": "item", "title": item["label"], "full": str(q2(full)),
                            "points": str(points), "lost": str(q2(full) - points), **detail})  # fmt: skip
    if not scored:
        explanation.append({"kind": "no_data_at_all", "points": "0.00"})
    vetoes = []
    for veto in sheet.vetoes:
        code, _, part = veto["source"].partition(":")
        n = facts.components.get(code, {}).get(part, 0) if part else facts.totals.get(code, ZERO)
        if n > veto["above"]:
            vetoes.append({"kind": "veto", "title": veto["label"], "count": str(n)})
    total = base
    if vetoes:
        vetoes[0]["points"] = str(q2(min(total, rule.veto_score) - total))
        for extra in vetoes[1:]:
            extra["points"] = "0.00"
        explanation.extend(vetoes)
        total = min(total, rule.veto_score)
    total = q2(total)
    return Result(
        base=q2(base), deductions=ZERO, vetoed=bool(vetoes), total=total,
        grade=gettext("一票否决") if vetoes else (gettext("达标") if total >= rule.grade_pass else gettext("未达标")),
        counted=len(scored), explanation=explanation,
    )  # fmt: skip


def facts_for(user: Any, area: Area, year: int, today: dt.date) -> Facts:
    """The modules' own figures for ``area`` over the year (up to ``today`` in the current one)."""
    from zhili.disputes.models import Dispute, Status
    from zhili.indicators import selectors
    from zhili.matters import metrics

    end = min(dt.date(year, 12, 31), today)
    start = dt.date(year, 1, 1)
    rates: dict[str, float | None] = {}
    samples: dict[str, int] = {}
    try:
        r = metrics.matter_metrics(user, area=area.code, start=start, end=end)
    except (NotFound, PermissionDenied):  # no right to the matters' figures: no data
        r = None
    for key in ("on_time_close_rate", "satisfaction_rate", "close_rate"):
        m: dict[str, Any] = r.measures[key] if r is not None else {"value": None, "denominator": 0}
        rates[f"matters:{key}"] = m["value"]
        samples[f"matters:{key}"] = int(m["denominator"])
    d = (
        Dispute.objects.visible_to(user)
        .filter(path_prefix_q("area_path", area.path), received_at__year=year)
        .aggregate(
            agreed=Count("id", filter=Q(agreed_at__isnull=False)),
            failed=Count("id", filter=Q(status=Status.FAILED)),
        )
    )
    decided = d["agreed"] + d["failed"]
    rates["disputes:success_rate"] = d["agreed"] / decided if decided else None
    samples["disputes:success_rate"] = decided
    f = selectors.figures(user, area, year, (1, end.month))
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
    result: Result
    facts: Facts


def creation_scores(user: Any, area: Area, year: int, today: dt.date) -> tuple[Any, list[Scored]]:
    """A district's streets (平安乡镇) or a street's communities (平安村社区), each scored."""
    from zhili.areas.models import Level
    from zhili.core.errors import ValidationFailed
    from zhili.indicators.models import CreationLevel

    if area.level == Level.DISTRICT:
        level = CreationLevel.STREET
    elif area.level == Level.STREET:
        level = CreationLevel.COMMUNITY
    else:
        raise ValidationFailed(
            gettext("请选择区县（评平安乡镇街道）或乡镇街道（评平安村社区）"), code="invalid_area"
        )
    sheet = sheet_for(year, level)
    out = []
    for child in Area.objects.current().filter(parent=area).order_by("code"):
        facts = facts_for(user, child, year, today)
        out.append(Scored(child, creation_compute(sheet, facts), facts))
    return sheet, out
