"""The generator at a tiny scale: the city is set up over the real tree and matters come out in
time order at the city's rate, with the rows the measures read."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.bench.city import CITY_USER, city_generate, city_setup, day_weights
from zhili.bench.run import parse_scale
from zhili.bench.sink import RollupStage
from zhili.matters import rollups
from zhili.matters.models import (
    Matter,
    MatterAreaAll,
    MatterAreaDay,
    MatterDurationAll,
    MatterEvent,
    MatterRollupState,
)
from zhili.org.models import RoleGrant, User


@pytest.mark.django_db
def test_tiny_city(tmp_path: Path) -> None:
    city_setup(grids_per_community=1, say=lambda _m: None)
    communities = Area.objects.current().filter(level=Level.COMMUNITY).count()
    assert Area.objects.filter(level=Level.GRID, code__endswith="001").count() >= communities
    city = User.objects.get(username=CITY_USER)
    assert RoleGrant.objects.filter(user=city, role__slug="city_admin").exists()

    def indexes() -> dict[str, Any]:
        """The loaded tables' indexes, unique constraints and foreign keys (dropped for the load)."""
        out = {}
        with connection.cursor() as cursor:
            for table in ("matters_matter", "matters_matterevent", "matters_matterareaday"):
                found = connection.introspection.get_constraints(cursor, table)
                out |= {
                    f"{table}.{k}": (v["columns"], v["foreign_key"], v["unique"])
                    for k, v in found.items()
                    if v["index"] or v["foreign_key"] or v["unique"]
                }
        return out

    before = indexes()
    now = timezone.now()
    with override_settings(MEDIA_ROOT=tmp_path):
        made = city_generate(count=400, seed=2, now=now, batch=150, say=lambda _m: None)
    matters = list(Matter.objects.order_by("id"))
    assert len(matters) == 400 and made["rows"]["matters"] == 400
    times = [m.created_at for m in matters]
    assert times == sorted(times) and times[-1] < now  # ids follow time, nothing in the future
    assert len({m.district_code for m in matters}) > 10  # spread over the city
    assert len({m.category_id for m in matters}) > 10
    assert MatterEvent.objects.count() == made["rows"]["events"] >= 400
    assert MatterRollupState.objects.count() == 400
    created = sum(MatterAreaDay.objects.filter(depth=1).values_list("created", flat=True))
    assert created == 400  # each matter counted once at district level
    assert made["users"]["street"].startswith("bench_s_")
    staged = ["merge_s"] if connection.vendor == "postgresql" else []
    assert list(made["phases"]) == ["live_s", *staged, "indexes_s", "repeats_s"]
    assert indexes() == before  # dropped for the load, built again
    assert any(fk for _cols, fk, _unique in before.values()) and len(before) > 10
    rollup_keys = [v for k, v in before.items() if k.startswith("matters_matterareaday.")]
    assert any(unique and "area_path" in cols for cols, _fk, unique in rollup_keys)  # back too
    # The rollups (on PostgreSQL staged and summed once after the load: RollupStage) are what
    # a rebuild from the written events gives, and no staging table is left behind.
    with connection.cursor() as cursor:
        left = [t for t in connection.introspection.table_names(cursor) if t.startswith("bench_")]
    assert left == []
    loaded = _counts()
    assert loaded["matters_matterareaday"] and loaded["matters_matterdurationall"]
    rollups.rebuild()
    assert _counts() == loaded


def _counts() -> dict[str, list[tuple[Any, ...]]]:
    """Every rollup table's rows that count something, without their ids, in key order."""
    out = {}
    for model in rollups.COUNT_MODELS:
        names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        counters = [n for n in names if n in rollups.ROLLUP_COUNTERS or n == "n"]
        rows = model._base_manager.values_list(*names)
        out[model._meta.db_table] = sorted(
            (r for r in rows if any(r[names.index(c)] for c in counters)), key=repr
        )
    return out


def test_scale_and_weights() -> None:
    assert parse_scale("1M") == 1_000_000 and parse_scale("200k") == 200_000

    monday, sunday = dt.date(2026, 7, 20), dt.date(2026, 7, 26)
    w = day_weights([monday, sunday])
    assert w[0] > w[1]  # weekdays carry more


def test_days_split_into_shards_of_whole_days() -> None:

    from zhili.bench.city import day_counts, shards

    now = timezone.make_aware(dt.datetime(2026, 12, 7, 15, 30))
    days = day_counts(1_000_000, now)
    # 37 whole days of 24 hours end at now: 38 calendar days, the first and the last partial.
    assert len(days) == 38 and sum(c for _, c in days) == 1_000_000
    assert days[0][0] == dt.date(2026, 10, 31) and days[-1][0] == dt.date(2026, 12, 7)
    parts = shards(days, 2)
    assert len(parts) == 2 and [d for p in parts for d in p] == days
    sizes = [sum(c for _, c in p) for p in parts]
    assert abs(sizes[0] - sizes[1]) < 40_000  # about even, never splitting a day
    assert shards(days[:1], 4) == [days[:1]]
    at_midnight = timezone.make_aware(dt.datetime(2026, 12, 7))
    assert day_counts(10, at_midnight) == [(dt.date(2026, 12, 6), 10)]  # today has no hour yet


@pytest.mark.parametrize("hour, minute", [(0, 24), (9, 0), (23, 50)])
def test_the_window_is_whole_days_ending_now_at_any_hour(hour: int, minute: int) -> None:
    """A run just after midnight once put a small city's every matter into the minutes since
    midnight (none old enough to be closed): the window is 24 hours a day back from now, and
    each calendar day's share follows the part of its working-day curve inside it."""
    from zhili.bench.city import CityGenerator, day_counts, window_start

    now = timezone.make_aware(dt.datetime(2026, 12, 8, hour, minute))
    since = window_start(400, now)
    assert now - since == dt.timedelta(days=1)
    days = day_counts(400, now)
    assert sum(n for _, n in days) == 400 and [d for d, _ in days] == sorted(d for d, _ in days)
    gen = CityGenerator.__new__(CityGenerator)  # the schedule only, without a city
    gen.rng, gen.now, gen.since = random.Random(3), now, since
    times = list(gen._schedule(days))
    assert len(times) == 400 and times == sorted(times)
    assert since <= times[0] and times[-1] < now
    busy = [t for t in times if 8 <= timezone.localtime(t).hour < 18]
    assert len(busy) > 0.5 * len(times)  # the working-day curve, whatever the hour of the run
    if hour == 0:
        today = [t for t in times if timezone.localtime(t).date() == now.date()]
        assert len(today) < 10  # 24 minutes of night, not the whole day's matters


@pytest.mark.django_db
def test_a_stage_adds_its_sums_to_rows_already_there() -> None:
    """Into a table that holds rows the stage merges by the rollups' additive upsert: a key
    already there gets the staged sum added, a key whose staged changes cancel is not written."""
    if connection.vendor != "postgresql":
        pytest.skip("the stage is PostgreSQL's (COPY); SQLite upserts each flush")
    day = dt.date(2026, 11, 2)
    MatterAreaAll.objects.create(area_path="500000/500103/", day=day, depth=1, created=2)
    stage = RollupStage([MatterAreaAll])
    stage.create()
    for changes in ({"created": 1, "accepted": 1}, {"created": 3}, {"due": 1}, {"due": -1}):
        d = rollups.Deltas()
        key = "500000/500103/" if "created" in changes else "500000/500104/"
        d.area_all[(key, day, 1)].update(changes)
        d.durations_all[(key, day, 0, "close", 5, 1)] += 1  # a table not staged here
        rollups.flush(d, stage.writes())
    assert MatterAreaAll.objects.count() == 1  # nothing added before the merge
    assert sum(MatterDurationAll.objects.values_list("n", flat=True)) == 4  # upserted at once
    assert stage.merge() == {"matters_matterareaall": 1}
    row = MatterAreaAll.objects.get()
    assert (row.area_path, row.created, row.accepted, row.due) == ("500000/500103/", 6, 1, 0)
    with connection.cursor() as cursor:
        assert not [t for t in connection.introspection.table_names(cursor) if "stage" in t]
