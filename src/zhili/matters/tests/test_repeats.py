"""重复诉求 as an officer means it: the same problem reported again at the same place within a
week — counted whether or not anyone merged the reports (docs/matters.md "Measures")."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from zhili.areas.models import Area
from zhili.matters import duplicates, metrics
from zhili.matters import services as s
from zhili.matters.models import Category, Matter
from zhili.matters.tests.test_metrics import _snapshot
from zhili.testing.db import rolled_back

TZ = ZoneInfo("Asia/Shanghai")
D = dt.date(2026, 3, 2)
GRID = "500103003013001"  # 民生路第1网格
OTHER_GRID = "500103003016001"  # 莲花池第1网格, about 300 m away
STREET = "500103003"

BAR_NOISE = [
    "夜间酒吧音响扰民",
    "楼下酒吧夜间音响扰民，吵得睡不着",
    "酒吧音响太大，夜间扰民",
    "夜间酒吧音响扰民，凌晨两点还在放音乐",
    "民族路酒吧晚上音响扰民",
    "酒吧夜间音响声音大，严重扰民",
    "夜里酒吧音响扰民",
    "又是酒吧夜间音响扰民",
    "酒吧音响扰民，夜间无法休息",
    "夜间酒吧音响扰民问题",
    "楼下酒吧音响扰民",
    "夜间酒吧音响扰民，请管一管",
]


def at(days: float, hour: int = 23) -> dt.datetime:
    return dt.datetime(2026, 3, 2, hour, tzinfo=TZ) + dt.timedelta(days=days)


@pytest.fixture
def hotline(users: dict[str, Any]) -> Any:
    noise = Category.objects.get(code="noise")

    def report(
        text: str, when: dt.datetime, grid: str = GRID, category: Category = noise
    ) -> Matter:
        return s.matter_create(
            actor=users["city_admin"],
            category=category,
            channel="hotline",
            description=text,
            area=Area.objects.get(code=grid),
            anonymous=category.allow_anonymous,
            reporter_phone="" if category.allow_anonymous else "13800138000",
            at=when,
        )

    return report


def test_twelve_reports_of_bar_noise_in_one_grid_in_a_week_are_eleven_repeats(
    hotline: Any, users: dict[str, Any]
) -> None:
    """Twelve residents call 12345 about the same bar's music over a week; nobody merges them.
    The first is new, the other eleven are repeats: 11 of the grid's 13 reports (one is about a
    street light)."""
    reports = [hotline(text, at(i * 0.5)) for i, text in enumerate(BAR_NOISE)]
    assert reports[-1].created_at - reports[0].created_at < dt.timedelta(days=7)
    # Not repeats: the same words in a grid 300 m away (no coordinates), another category in
    # the same grid, and the same words again eight days after the last report.
    hotline(BAR_NOISE[0], at(1), grid=OTHER_GRID)
    hotline(BAR_NOISE[0], at(1), category=Category.objects.get(code="streetlight"))
    late = hotline(BAR_NOISE[0], at(5.5 + 8))

    officer = users["yuzhong"]
    week = {"start": D, "end": D + dt.timedelta(days=6)}
    grid = metrics.matter_metrics(officer, area=GRID, **week)
    rate = grid.measures["duplicate_rate"]
    assert (rate["numerator"], rate["denominator"]) == (11, 13)
    assert rate["value"] == pytest.approx(11 / 13)
    street = metrics.matter_metrics(officer, area=STREET, **week)
    rate = street.measures["duplicate_rate"]
    assert (rate["numerator"], rate["denominator"]) == (11, 14)
    assert duplicates.repeat_of(late) is None
    assert duplicates.repeat_of(reports[0]) is None
    assert duplicates.repeat_of(reports[5]) in reports[:5]

    # A merge by an officer makes a report a repeat even when its words differ; a matter is
    # counted once however it became one.
    odd = hotline("凌晨有人在楼下唱歌", at(2, 22))
    s.matter_merge(actor=users["city_admin"], matter=odd, into=reports[0], at=at(3, 9))
    s.matter_merge(actor=users["city_admin"], matter=reports[1], into=reports[0], at=at(3, 9))
    rate = metrics.matter_metrics(officer, area=GRID, **week).measures["duplicate_rate"]
    assert (rate["numerator"], rate["denominator"]) == (12, 14)

    # The counts kept at intake are those a rebuild from the facts finds.
    kept = _snapshot()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert _snapshot() == kept


def test_nearby_reports_and_the_same_building_address_are_the_same_place(
    hotline: Any, users: dict[str, Any], settings: Any
) -> None:
    """Places: the same grid (a building is in its grid), coordinates within the radius across
    a grid boundary, or the same written address."""
    admin, noise = users["city_admin"], Category.objects.get(code="noise")

    def placed(text: str, when: dt.datetime, grid: str, **where: Any) -> Matter:
        return s.matter_create(
            actor=admin, category=noise, channel="hotline", description=text,
            area=Area.objects.get(code=grid), anonymous=True, at=when, **where,
        )  # fmt: skip

    a = placed(BAR_NOISE[0], at(0), GRID, lat=29.5550, lng=106.5712)
    b = placed(BAR_NOISE[1], at(1), OTHER_GRID, lat=29.5550, lng=106.5718)  # 58 m east
    assert duplicates.repeat_of(b) == a
    c = placed(BAR_NOISE[2], at(2), "500103003018", address="民族路 188 号")  # 自力巷社区
    d = placed(BAR_NOISE[3], at(3), "500103003017", address="民族路 188 号")  # 邹容路社区
    assert duplicates.repeat_of(c) is None and duplicates.repeat_of(d) == c
    rate = metrics.matter_metrics(users["yuzhong"], area=STREET, start=D, end=D + dt.timedelta(6))
    assert rate.measures["duplicate_rate"]["numerator"] == 2


def test_a_batch_counts_the_repeats_single_intakes_count(users: dict[str, Any]) -> None:
    """The hotline's batch of the twelve reports (and one already recorded) counts the repeats as
    twelve single intakes do: the same rollup rows and states."""

    from zhili.matters.models import MatterAreaDay, MatterRollupState

    city, noise = users["city_admin"], Category.objects.get(code="noise")
    grid = Area.objects.get(code=GRID)
    when = at(0)
    items = [
        {"category": noise, "channel": "hotline", "description": text, "area": grid,
         "anonymous": True}
        for text in BAR_NOISE
    ]  # fmt: skip
    found: dict[str, Any] = {}
    for how in ("single", "batch"):
        with rolled_back():
            s.matter_create(actor=city, at=when - dt.timedelta(days=1), **items[0])
            if how == "single":
                made = [s.matter_create(actor=city, at=when, **dict(i)) for i in items[1:]]
            else:
                made = s.matter_create_batch(actor=city, items=items[1:], at=when)
            rows = MatterAreaDay.objects.filter(area_path=grid.path).order_by("day")
            found[how] = (
                list(rows.values_list("day", "created", "repeated")),
                sorted(
                    MatterRollupState.objects.filter(matter__in=made).values_list(
                        "repeated", flat=True
                    )
                ),
            )
    assert found["batch"] == found["single"]
    assert found["single"][0] == [(D - dt.timedelta(days=1), 1, 0), (D, 11, 11)]
