"""The holiday calendar's overrides (节假日调整): reads and writes of ``core.CalendarDay``.

The package chinese-calendar knows the State Council's schedule up to the year it was released;
the city's administrator enters later years (holidays and 调休 working days) here. Every write
clears the working-day cache of this process at once (other processes within a minute).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels, workdays
from zhili.core.audit import audit_record, root_path
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.models import CalendarDay
from zhili.core.scoping import can

labels.register_audit(
    {
        "calendar.set": _("设置节假日调整"),
        "calendar.delete": _("删除节假日调整"),
        "calendar.import": _("导入节假日安排"),
    }
)
labels.register_audit_fields("core.calendarday", {"days": _("日期安排")})

MAX_IMPORT_DAYS = 400
WORK_WORDS = {"上班", "工作日", "补班", "调休上班", "work", "workday"}
REST_WORDS = {"放假", "休息", "假日", "节假日", "holiday", "off"}
LINE = re.compile(
    r"^(?P<start>\d{4}-\d{1,2}-\d{1,2})(?:\s*(?:~|～|至|--|—)\s*(?P<end>\d{4}-\d{1,2}-\d{1,2}))?"
    r"\s+(?P<kind>\S+)(?:\s+(?P<note>.*))?$"
)


def calendar_may_change(user: Any) -> bool:
    return can(user, "change", CalendarDay, root_path())


def calendar_days(*, since: dt.date) -> QuerySet[CalendarDay]:
    """The overrides from ``since`` on (the calendar is city-wide and public to all staff)."""
    return CalendarDay.objects.filter(date__gte=since).order_by("date")


@dataclass
class YearStatus:
    year: int
    package_knows: bool
    holidays: int
    workdays: int

    @property
    def missing(self) -> bool:
        return not self.package_knows and self.holidays == 0


def calendar_years(years: list[int]) -> list[YearStatus]:
    """For each year: does the package know it, and how many overrides were entered."""
    rows = (
        CalendarDay.objects.filter(date__year__in=years)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(
            rest=Count("id", filter=Q(is_workday=False)),
            work=Count("id", filter=Q(is_workday=True)),
        )
    )
    counts: dict[int, tuple[int, int]] = {r["year"]: (r["rest"], r["work"]) for r in rows}
    return [
        YearStatus(
            year=y,
            package_knows=workdays.package_knows(y),
            holidays=counts.get(y, (0, 0))[0],
            workdays=counts.get(y, (0, 0))[1],
        )
        for y in years
    ]


def this_and_next_year() -> list[int]:
    year = timezone.localdate().year
    return [year, year + 1]


def _require(actor: Any) -> None:
    if not calendar_may_change(actor):
        raise PermissionDenied(gettext("节假日调整由市级管理员维护"))


def _changed() -> None:
    workdays.forget_overrides()
    transaction.on_commit(workdays.forget_overrides)


@transaction.atomic
def calendar_day_set(*, actor: Any, date: dt.date, is_workday: bool, note: str = "") -> CalendarDay:
    """Declare ``date`` a holiday (放假) or a working day (上班, e.g. a 调休 Saturday)."""
    _require(actor)
    note = (note or "").strip()
    if len(note) > 100:
        raise ValidationFailed(gettext("说明不能超过 100 个字"), code="too_long")
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = {"is_workday": day.is_workday, "note": day.note} if day else None
    if day is None:
        day = CalendarDay(date=date)
    day.is_workday, day.note = bool(is_workday), note
    day.save()
    audit_record(
        actor=actor,
        action="calendar.set",
        obj=day,
        area_path=root_path(),
        before=before,
        after={"date": date.isoformat(), "is_workday": day.is_workday, "note": note},
    )
    _changed()
    return day


@transaction.atomic
def calendar_day_delete(*, actor: Any, date: dt.date) -> None:
    """Remove an override: the day follows the package (or Monday–Friday) again."""
    _require(actor)
    day = CalendarDay.objects.filter(date=date).first()
    if day is None:
        raise ValidationFailed(
            gettext("%(date)s 没有调整记录") % {"date": format(date, "%Y-%m-%d")}, code="not_found"
        )
    audit_record(
        actor=actor,
        action="calendar.delete",
        obj=day,
        area_path=root_path(),
        before={"date": date.isoformat(), "is_workday": day.is_workday, "note": day.note},
    )
    day.delete()
    _changed()


def parse_schedule(text: str) -> list[tuple[dt.date, bool, str]]:
    """Lines like ``2027-02-06~2027-02-14 放假 春节`` or ``2027-02-15 上班 春节调休``."""
    days: dict[dt.date, tuple[bool, str]] = {}
    errors = []
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        try:
            if m is None:
                raise ValueError
            start = dt.date.fromisoformat(_pad(m["start"]))
            end = dt.date.fromisoformat(_pad(m["end"])) if m["end"] else start
        except ValueError:
            errors.append(gettext("第 %(no)s 行格式不对：%(line)s") % {"no": no, "line": line[:40]})
            continue
        kind = m["kind"]
        if kind not in WORK_WORDS | REST_WORDS:
            errors.append(
                gettext("第 %(no)s 行须写“放假”或“上班”：%(line)s") % {"no": no, "line": line[:40]}
            )
            continue
        if end < start or (end - start).days > 60:
            errors.append(
                gettext("第 %(no)s 行的日期范围不对：%(line)s") % {"no": no, "line": line[:40]}
            )
            continue
        day = start
        while day <= end:
            days[day] = (kind in WORK_WORDS, (m["note"] or "").strip()[:100])
            day += dt.timedelta(days=1)
    if errors:
        raise ValidationFailed("；".join(errors[:10]), code="invalid_schedule", detail=errors)
    if not days:
        raise ValidationFailed(gettext("没有可导入的日期"), code="empty")
    if len(days) > MAX_IMPORT_DAYS:
        raise ValidationFailed(
            gettext("一次最多导入 %(MAX_IMPORT_DAYS)s 天") % {"MAX_IMPORT_DAYS": MAX_IMPORT_DAYS},
            code="too_many",
        )
    return [(d, work, note) for d, (work, note) in sorted(days.items())]


def _pad(value: str) -> str:
    y, mo, d = value.split("-")
    return f"{y}-{int(mo):02d}-{int(d):02d}"


@transaction.atomic
def calendar_import(*, actor: Any, text: str) -> int:
    """Enter a whole year's schedule at once; all lines or none. Returns the days written."""
    _require(actor)
    rows = parse_schedule(text)
    existing = {d.date: d for d in CalendarDay.objects.filter(date__in=[r[0] for r in rows])}
    for date, is_workday, note in rows:
        day = existing.get(date) or CalendarDay(date=date)
        day.is_workday, day.note = is_workday, note
        day.save()
    audit_record(
        actor=actor,
        action="calendar.import",
        object_type="core.calendarday",
        object_id=f"{rows[0][0]:%Y-%m-%d}~{rows[-1][0]:%Y-%m-%d}",
        object_repr=f"节假日调整 {len(rows)} 天",
        area_path=root_path(),
        after={"days": [[d.isoformat(), w, n] for d, w, n in rows]},
    )
    _changed()
    return len(rows)
