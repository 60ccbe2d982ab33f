"""Working days across China's statutory holidays and 调休, hour limits for emergencies,
administrators' overrides, and the Monday–Friday fallback for years the package does not know."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from zhili.core import workdays
from zhili.core.calendar import (
    calendar_day_delete,
    calendar_day_set,
    calendar_import,
    calendar_years,
    parse_schedule,
)
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent, CalendarDay

pytestmark = pytest.mark.django_db
UNKNOWN_YEAR = next(y for y in range(2027, 2100) if not workdays.package_knows(y))


def at(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


def end_of(day: str) -> dt.datetime:
    return at(f"{day}T23:59:59")


@pytest.fixture(autouse=True)
def fresh_overrides() -> Iterator[None]:
    """Overrides are cached per process; a rolled-back test must not leave its own behind."""
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # National Day 2026: Oct 1–7 off, so the working day after Sept 30 is Oct 8.
        ("2026-09-30T10:00", 1, "2026-10-08"),
        # Saturday Oct 10 is a 调休 working day.
        ("2026-10-09T16:00", 1, "2026-10-10"),
        ("2026-10-08T09:00", 2, "2026-10-10"),
        # ...and the Sunday after it is not.
        ("2026-10-10T09:00", 1, "2026-10-12"),
        # Spring Festival 2026: Saturday Feb 14 is worked, Feb 15–23 off, Saturday Feb 28 worked.
        ("2026-02-13T09:00", 1, "2026-02-14"),
        ("2026-02-14T09:00", 1, "2026-02-24"),
        ("2026-02-27T09:00", 1, "2026-02-28"),
        # An ordinary week: Friday + 1 is Monday; the limit ends at the end of that day.
        ("2026-06-05T17:30", 1, "2026-06-08"),
        ("2026-06-01T08:00", 5, "2026-06-08"),
    ],
)
def test_working_days_follow_holidays_and_tiaoxiu(start: str, days: int, due: str) -> None:
    assert workdays.add_workdays(at(start), days) == end_of(due)


def test_calendar_facts_of_2026() -> None:
    assert not workdays.is_workday(dt.date(2026, 10, 1))
    assert workdays.is_workday(dt.date(2026, 10, 10))  # Saturday, 调休
    assert workdays.is_workday(dt.date(2026, 2, 14))  # Saturday, 调休
    assert not workdays.is_workday(dt.date(2026, 2, 16))  # Monday, Spring Festival


def test_emergencies_count_clock_hours_through_holidays() -> None:
    start = at("2026-09-30T22:00")
    assert workdays.add_limit(start, 2, "h") == at("2026-10-01T00:00")
    assert workdays.add_limit(start, 24, "h") == at("2026-10-01T22:00")
    assert workdays.add_limit(start, 1, "wd") == end_of("2026-10-08")
    with pytest.raises(ValueError):
        workdays.add_limit(start, 1, "d")


def test_a_limit_of_zero_days_is_the_start_itself() -> None:
    start = at("2026-06-01T08:00")
    assert workdays.add_workdays(start, 0) == start


def test_workdays_between_skips_the_holiday_week() -> None:
    assert workdays.workdays_between(at("2026-09-30T10:00"), at("2026-10-08T10:00")) == 1
    assert workdays.workdays_between(at("2026-10-08T10:00"), at("2026-10-12T10:00")) == 3


def test_a_year_the_package_lacks_falls_back_to_monday_to_friday(db: Any) -> None:
    new_year = dt.date(UNKNOWN_YEAR, 1, 1)
    assert not workdays.package_knows(UNKNOWN_YEAR)
    assert workdays.is_workday(new_year) == (new_year.weekday() < 5)  # no holiday known
    friday = next(
        new_year + dt.timedelta(days=i)
        for i in range(7)
        if (new_year + dt.timedelta(days=i)).weekday() == 4
    )
    monday = friday + dt.timedelta(days=3)
    assert workdays.add_workdays(at(f"{friday}T10:00"), 1) == end_of(str(monday))
    assert workdays.calendar_gaps([2026, UNKNOWN_YEAR]) == [UNKNOWN_YEAR]


def test_overrides_take_effect_at_once_when_saved_through_the_service(users: Any) -> None:
    admin = users["city_admin"]
    start = at(f"{UNKNOWN_YEAR}-01-01T09:00")
    plain = workdays.add_workdays(start, 1)
    workdays.is_workday(start.date())  # warm the cache before the change
    calendar_day_set(actor=admin, date=plain.date(), is_workday=False, note="元旦")
    assert workdays.add_workdays(start, 1) > plain  # the cached overrides were forgotten
    assert not workdays.is_workday(plain.date())
    assert AuditEvent.objects.filter(action="calendar.set").exists()
    # A 调休 working Sunday counts.
    sunday = next(
        start.date() + dt.timedelta(days=i)
        for i in range(1, 8)
        if (start.date() + dt.timedelta(days=i)).weekday() == 6
    )
    calendar_day_set(actor=admin, date=sunday, is_workday=True, note="调休上班")
    assert workdays.is_workday(sunday)
    assert workdays.calendar_gaps([UNKNOWN_YEAR]) == []  # a holiday was entered
    calendar_day_delete(actor=admin, date=sunday)
    assert not workdays.is_workday(sunday)


def test_an_override_also_beats_the_package(users: Any) -> None:
    assert workdays.add_workdays(at("2026-06-05T10:00"), 1) == end_of("2026-06-08")
    calendar_day_set(actor=users["city_admin"], date=dt.date(2026, 6, 8), is_workday=False)
    assert workdays.add_workdays(at("2026-06-05T10:00"), 1) == end_of("2026-06-09")


def test_only_the_city_may_change_the_calendar(users: Any) -> None:
    with pytest.raises(PermissionDenied):
        calendar_day_set(actor=users["yuzhong"], date=dt.date(2027, 1, 1), is_workday=False)
    assert not CalendarDay.objects.exists()


def test_a_whole_year_is_imported_all_or_nothing(users: Any) -> None:
    y = UNKNOWN_YEAR
    text = f"# 国务院办公厅通知\n{y}-01-01 放假 元旦\n{y}-02-06~{y}-02-14 放假 春节\n{y}-2-15 上班 春节调休\n"
    assert calendar_import(actor=users["city_admin"], text=text) == 11
    assert CalendarDay.objects.filter(is_workday=False).count() == 10
    status = calendar_years([y])[0]
    assert (status.holidays, status.workdays, status.missing) == (10, 1, False)
    with pytest.raises(ValidationFailed) as err:
        calendar_import(actor=users["city_admin"], text=f"{y}-03-01 放假\n{y}-13-01 放假\n")
    assert "第 2 行" in err.value.message
    assert not CalendarDay.objects.filter(date=dt.date(y, 3, 1)).exists()


def test_schedule_lines_need_a_kind() -> None:
    with pytest.raises(ValidationFailed):
        parse_schedule("2027-01-01 元旦")
    assert parse_schedule("2027-01-01 至 2027-01-03 放假 元旦")[-1] == (
        dt.date(2027, 1, 3),
        False,
        "元旦",
    )


def test_calendar_page_warns_about_the_missing_year(login: Any) -> None:
    client = login("city_admin")
    assert 'href="/calendar/"' in client.get("/").content.decode()  # in the navigation
    page = client.get("/calendar/")
    assert page.status_code == 200
    next_year = timezone.localdate().year + 1
    text = page.content.decode()
    if not workdays.package_knows(next_year):
        assert f"尚无 {next_year} 年的法定节假日安排" in text
    response = client.post(
        "/calendar/",
        {"action": "import", "import-text": f"{next_year}-01-01 放假 元旦"},
        follow=True,
    )
    assert "已导入 1 天" in response.content.decode()
    assert f"尚无 {next_year} 年" not in response.content.decode()


def test_calendar_page_is_read_only_for_a_district(login: Any) -> None:
    client = login("yuzhong")
    assert 'href="/calendar/"' not in client.get("/").content.decode()
    assert "导入整年安排" not in client.get("/calendar/").content.decode()
    response = client.post(
        "/calendar/", {"action": "set", "day-date": "2027-01-01", "day-is_workday": "0"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()
