"""The generator at a tiny scale: the city is set up over the real tree and matters come out in
time order at the city's rate, with the rows the measures read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from zhili.areas.models import Area, Level
from zhili.bench.city import CITY_USER, city_generate, city_setup, day_weights
from zhili.bench.run import parse_scale
from zhili.matters.models import Matter, MatterAreaDay, MatterEvent, MatterRollupState
from zhili.org.models import RoleGrant, User


@pytest.mark.django_db
def test_tiny_city(tmp_path: Path) -> None:
    city_setup(grids_per_community=1, say=lambda _m: None)
    communities = Area.objects.current().filter(level=Level.COMMUNITY).count()
    assert Area.objects.filter(level=Level.GRID, code__endswith="001").count() >= communities
    city = User.objects.get(username=CITY_USER)
    assert RoleGrant.objects.filter(user=city, role__slug="city_admin").exists()

    def indexes() -> dict[str, Any]:
        """The loaded tables' indexes and foreign keys (dropped for the load)."""
        out = {}
        with connection.cursor() as cursor:
            for table in ("matters_matter", "matters_matterevent", "matters_matterareaday"):
                found = connection.introspection.get_constraints(cursor, table)
                out |= {
                    f"{table}.{k}": (v["columns"], v["foreign_key"])
                    for k, v in found.items()
                    if v["index"] or v["foreign_key"]
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
    assert indexes() == before  # dropped for the load, built again
    assert any(fk for _cols, fk in before.values()) and len(before) > 10


def test_scale_and_weights() -> None:
    assert parse_scale("1M") == 1_000_000 and parse_scale("200k") == 200_000

    monday, sunday = dt.date(2026, 7, 20), dt.date(2026, 7, 26)
    w = day_weights([monday, sunday])
    assert w[0] > w[1]  # weekdays carry more


def test_days_split_into_shards_of_whole_days() -> None:

    from zhili.bench.city import day_counts, shards

    now = timezone.now()
    days = day_counts(1_000_000, now)
    assert len(days) == 37 and sum(c for _, c in days) == 1_000_000
    assert days[-1][0] == timezone.localtime(now).date()
    parts = shards(days, 2)
    assert len(parts) == 2 and [d for p in parts for d in p] == days
    sizes = [sum(c for _, c in p) for p in parts]
    assert abs(sizes[0] - sizes[1]) < 40_000  # about even, never splitting a day
    assert shards(days[:1], 4) == [days[:1]]
    assert day_counts(10, now) == [(timezone.localtime(now).date(), 10)]
