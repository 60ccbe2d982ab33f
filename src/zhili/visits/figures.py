"""The figures of 楼栋工作日, recomputed from the facts (visits, residents, demands, matters):
per-cadre and per-street counts for a period, the weekly contact check and the monthly
bulletin (奉节's variant: every cadre makes contact every week; a bulletin each month).

Counts are by the visit's planned date; a visit counts as contact in the week of the day it took
place (``visited_on``). 完成率 = done ÷ (done + missed + planned visits already past their date),
so it stays within 0–100 %."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from zhili.areas.selectors import areas_by_codes
from zhili.matters.models import Status as MatterStatus
from zhili.visits.models import Demand, Resident, Status
from zhili.visits.selectors import visit_visible

SOLVED = (MatterStatus.CLOSED, MatterStatus.RATED)


def weekly_minimum() -> int:
    """Done visits a cadre must make each week (奉节: weekly contact; assumed 1, configurable)."""
    return int(getattr(settings, "ZHILI_VISITS_WEEKLY_MIN", 1))


@dataclass
class Row:
    key: str  # cadre id or street code
    name: str
    planned: int = 0
    done: int = 0
    missed: int = 0
    overdue: int = 0  # still planned, date past
    residents: int = 0
    demands: int = 0
    matters: int = 0
    solved: int = 0
    contact_weeks: int = 0
    weeks: int = 0

    @property
    def due(self) -> int:
        return self.done + self.missed + self.overdue

    @property
    def rate(self) -> float | None:
        """完成率 in %, None when nothing was due."""
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def weekly_ok(self) -> bool:
        return self.contact_weeks >= self.weeks


@dataclass
class Figures:
    start: dt.date
    end: dt.date
    by_cadre: list[Row] = field(default_factory=list)
    by_street: list[Row] = field(default_factory=list)
    total: Row = field(default_factory=lambda: Row("", gettext("合计")))


def _fill(rows: dict[str, Row], grouped: list[dict[str, Any]], key: str, today: dt.date) -> None:
    for g in grouped:
        r = rows[str(g[key])]
        r.planned += g["planned"]
        r.done += g["done"]
        r.missed += g["missed"]
        r.overdue += g["overdue"]


def _counts(visits: Any, key: str, today: dt.date) -> list[dict[str, Any]]:
    return list(
        visits.values(key).annotate(
            planned=Count("id"),
            done=Count("id", filter=Q(status=Status.DONE)),
            missed=Count("id", filter=Q(status=Status.MISSED)),
            overdue=Count("id", filter=Q(status=Status.PLANNED, date__lt=today)),
        )
    )


def _children(model: Any, visits: Any, key: str) -> dict[str, int]:
    return {
        str(g[f"visit__{key}"]): g["n"]
        for g in model.objects.filter(visit__in=visits.values("id"))
        .values(f"visit__{key}")
        .annotate(n=Count("id"))
    }


def _demands(visits: Any, key: str) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    for g in (
        Demand.objects.filter(visit__in=visits.values("id"))
        .values(f"visit__{key}")
        .annotate(
            n=Count("id"),
            matters=Count("id", filter=Q(matter__isnull=False)),
            solved=Count("id", filter=Q(matter__status__in=SOLVED)),
        )
    ):
        out[str(g[f"visit__{key}"])] = (g["n"], g["matters"], g["solved"])
    return out


def _week_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """Mondays of the weeks that meet [start, end]."""
    first = start - dt.timedelta(days=start.weekday())
    out = []
    while first <= end:
        out.append(first)
        first += dt.timedelta(days=7)
    return out


def _contact_weeks(visits: Any, key: str, start: dt.date, end: dt.date) -> dict[str, int]:
    """Per key: weeks of [start, end] with at least ``weekly_minimum`` visits made that week."""
    per: dict[tuple[str, dt.date], int] = defaultdict(int)
    done = visits.filter(status=Status.DONE, visited_on__gte=start, visited_on__lte=end)
    for k, on in done.values_list(key, "visited_on"):
        per[(str(k), on - dt.timedelta(days=on.weekday()))] += 1
    out: dict[str, int] = defaultdict(int)
    for (k, _week), n in per.items():
        if n >= weekly_minimum():
            out[k] += 1
    return out


def figures(user: Any, start: dt.date, end: dt.date) -> Figures:
    """Per-cadre and per-street figures of the visits planned in [start, end] that the user may
    see; weekly contact counted over the same period."""
    today = timezone.localdate()
    in_period = visit_visible(user).filter(date__gte=start, date__lte=end)
    everyone = visit_visible(user)  # contact counts visits made in the period, whatever the plan
    weeks = len(_week_starts(start, end))
    out = Figures(start, end)
    for key, target in (("cadre_id", out.by_cadre), ("street_code", out.by_street)):
        rows: dict[str, Row] = {}
        grouped = _counts(in_period, key, today)
        names = _names(key, [str(g[key]) for g in grouped])
        contact = _contact_weeks(everyone, key, start, end)
        for g in grouped:
            rows[str(g[key])] = Row(str(g[key]), names.get(str(g[key]), str(g[key])))
        _fill(rows, grouped, key, today)
        residents = _children(Resident, in_period, key)
        demands = _demands(in_period, key)
        for k, r in rows.items():
            r.residents = residents.get(k, 0)
            r.demands, r.matters, r.solved = demands.get(k, (0, 0, 0))
            r.weeks = weeks
            r.contact_weeks = contact.get(k, 0)
        target.extend(sorted(rows.values(), key=lambda r: (-r.done, r.name)))
    t = out.total
    for r in out.by_cadre:
        for f in ("planned", "done", "missed", "overdue", "residents", "demands", "matters"):
            setattr(t, f, getattr(t, f) + getattr(r, f))
        t.solved += r.solved
    t.weeks = weeks
    t.contact_weeks = min((r.contact_weeks for r in out.by_cadre), default=0)
    return out


def _names(key: str, keys: list[str]) -> dict[str, str]:
    if key == "street_code":
        return {c: a.name for c, a in areas_by_codes(set(keys)).items()}
    from zhili.org.models import User

    return {
        str(u.pk): u.display_name
        for u in User.objects.filter(pk__in=[int(k) for k in keys]).only("full_name", "username")
    }


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def month_of(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def parse_month(value: str | None) -> tuple[dt.date, dt.date]:
    """ "2026-11" → its first and last day; the current month when empty or malformed."""
    try:
        y, m = (int(p) for p in (value or "").split("-"))
        return month_of(y, m)
    except (ValueError, TypeError):
        today = timezone.localdate()
        return month_of(today.year, today.month)


def parse_day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()
