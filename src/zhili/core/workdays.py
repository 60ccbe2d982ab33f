"""Working-day arithmetic with China's statutory holidays and 调休 make-up workdays.

The calendar comes from the package `chinese-calendar`; administrators add overrides
(``core.CalendarDay``) for days it does not know, typically next year's schedule before the package
is updated. Years that neither knows fall back to Monday–Friday, and ``calendar_gaps`` lists them so
the pages can warn.
"""

from __future__ import annotations

import datetime as dt
import functools
import time

import chinese_calendar
from django.utils import timezone

END_OF_DAY = dt.time(23, 59, 59)


_CACHE_SECONDS = 60
_cache: dict[str, tuple[float, dict[dt.date, bool]]] = {}


def _overrides() -> dict[dt.date, bool]:
    """Administrators' overrides, cached for a minute per process (``forget_overrides`` clears)."""
    from zhili.core.models import CalendarDay

    now = time.monotonic()
    hit = _cache.get("overrides")
    if hit is None or now - hit[0] > _CACHE_SECONDS:
        hit = (now, dict(CalendarDay.objects.values_list("date", "is_workday")))
        _cache["overrides"] = hit
    return hit[1]


def forget_overrides() -> None:
    _cache.clear()


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    overrides = _overrides() if overrides is None else overrides
    if day in overrides:
        return overrides[day]
    return _package_workday(day)


@functools.lru_cache(maxsize=8192)
def _package_workday(day: dt.date) -> bool:
    """The package's answer, remembered: each of its lookups scans its whole holiday table
    (``min``/``max`` over every key), which made deadlines a measurable share of an intake."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local) of the ``days``-th working day after ``start``'s date."""
    if days <= 0:
        return start
    overrides = _overrides()
    local = timezone.localtime(start)
    day, counted = local.date(), 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY), local.tzinfo)


def add_limit(start: dt.datetime, value: float, unit: str) -> dt.datetime:
    """A time limit: ``unit`` is "h" (clock hours, for emergencies) or "wd" (working days)."""
    if unit == "h":
        return start + dt.timedelta(hours=value)
    if unit == "wd":
        return add_workdays(start, int(value))
    raise ValueError(f"unknown time-limit unit {unit!r}")


def workdays_between(start: dt.datetime, end: dt.datetime) -> int:
    """Working days strictly after ``start``'s date up to and including ``end``'s date."""
    overrides = _overrides()
    a, b = timezone.localtime(start).date(), timezone.localtime(end).date()
    n, day = 0, a
    while day < b:
        day += dt.timedelta(days=1)
        n += is_workday(day, overrides)
    return n


def calendar_gaps(years: list[int]) -> list[int]:
    """Years for which neither the package nor an override covers the holidays (a year counts as
    entered once it has at least one holiday override; a lone 调休 working day does not)."""
    from zhili.core.models import CalendarDay

    unknown = [y for y in years if not package_knows(y)]
    if not unknown:
        return []
    covered = set(
        CalendarDay.objects.filter(date__year__in=unknown, is_workday=False)
        .values_list("date__year", flat=True)
        .distinct()
    )
    return [y for y in unknown if y not in covered]
