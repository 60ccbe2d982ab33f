"""Batch intake: the rows of N single intakes, all or nothing, errors naming the item."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from zhili.areas.models import Area
from zhili.bench.samples import pick_samples
from zhili.core.models import AuditEvent
from zhili.core.validation import next_in_sequence
from zhili.matters import services
from zhili.matters.duplicates import tokenize
from zhili.matters.models import (
    Category,
    Matter,
    MatterAreaDay,
    MatterCounter,
    MatterEvent,
    MatterRollupState,
    MatterUnitDay,
)

URL = "/api/v1/matters/batch"
GRID1 = "500103003013001"  # 民生路第1网格 (解放碑街道)
LAT, LNG = 29.5550, 106.5712  # inside GRID1
OUTSIDE = "500104001"  # a street of 大渡口区, outside 解放碑街道's scope


class Rollback(Exception):
    pass


def _varied(n: int) -> list[dict[str, Any]]:
    """Items with different categories, areas, channels, titles, answers; one anonymous where
    the category allows it and one located by a point instead of an area."""
    channels = ["hotline", "staff", "web", "grid", "building_day"]
    items = []
    for k, s in enumerate(pick_samples(n, seed=7)):
        category = Category.objects.get(pk=s.category_id)
        item: dict[str, Any] = {
            "category": category,
            "channel": channels[k % len(channels)],
            "description": f"{s.description} #{k}",
            "title": f"标题 {k}" if k % 3 == 0 else "",
            "area": Area.objects.get(pk=s.area_id),
            "reporter_name": s.reporter_name,
            "reporter_phone": s.reporter_phone,
            "answers": s.answers,
            "address": f"{k} 号" if k % 2 else "",
        }
        if k == 1:
            item |= {"area": None, "lat": LAT, "lng": LNG}
        items.append(item)
    anonymous = next((i for i in items if i["category"].allow_anonymous), None)
    if anonymous is not None:
        anonymous["anonymous"] = True
    return items


def _rows(matters: list[Matter], day: dt.date) -> dict[str, Any]:
    ids = [m.pk for m in matters]
    by_id = {m.pk: k for k, m in enumerate(matters)}  # rows in item order, ids aside

    def strip(row: dict[str, Any], *keys: str) -> dict[str, Any]:
        return {k: v for k, v in row.items() if k not in keys}

    return {
        "matters": [
            strip(model_to_dict(m), "id") for m in Matter.objects.filter(pk__in=ids).order_by("pk")
        ],
        "events": sorted(
            (by_id[e.matter_id], strip(model_to_dict(e), "id", "matter", "attachments"))
            for e in MatterEvent.objects.filter(matter_id__in=ids)
        ),
        "states": sorted(
            (by_id[s.matter_id], strip(model_to_dict(s), "matter"))
            for s in MatterRollupState.objects.filter(matter_id__in=ids)
        ),
        "audit": sorted(
            (by_id[int(a.object_id)], strip(model_to_dict(a), "id", "object_id", "object_repr"))
            for a in AuditEvent.objects.filter(
                action="matter.create", object_id__in=[str(i) for i in ids]
            )
        ),
        "area_days": [
            strip(model_to_dict(r), "id")
            for r in MatterAreaDay.objects.filter(day=day).order_by("area_path", "category_id")
        ],
        "unit_days": MatterUnitDay.objects.filter(day=day).count(),
        "counter": MatterCounter.objects.get(day=day).last,
    }


def _key(rows: dict[str, Any]) -> str:
    return json.dumps(rows, default=str, sort_keys=True, ensure_ascii=False)


@pytest.mark.django_db(transaction=False)
def test_a_batch_writes_the_rows_of_single_intakes(users: dict[str, Any]) -> None:
    """20 varied items by 20 matter_create calls, rolled back, then by one batch at the same
    moment: the same rows in every table (numbers included), ids aside."""
    city = users["city_admin"]
    at = timezone.now().replace(microsecond=0) - dt.timedelta(days=400)
    day = timezone.localdate(at)
    items = _varied(20)
    assert len({i["category"].pk for i in items}) > 3 and len({i["channel"] for i in items}) == 5
    found: dict[str, str] = {}
    for how in ("single", "batch"):
        try:
            with transaction.atomic():
                if how == "single":
                    matters = [services.matter_create(actor=city, at=at, **dict(i)) for i in items]
                else:
                    matters = services.matter_create_batch(actor=city, items=items, at=at)
                rows = _rows(matters, day)
                assert len(rows["matters"]) == len(rows["events"]) == len(rows["audit"]) == 20
                assert len(rows["states"]) == 20 and rows["counter"] == 20
                found[how] = _key(rows)
                raise Rollback
        except Rollback:
            pass
    assert found["single"] == found["batch"]
    numbers = [m["number"] for m in json.loads(found["batch"])["matters"]]
    assert numbers == [f"Q{day:%Y%m%d}{k:06d}" for k in range(1, 21)]


def _body(n: int, *, area: str = GRID1) -> dict[str, Any]:
    items = []
    for k, s in enumerate(pick_samples(n, seed=3)):
        items.append(
            {
                "category": s.category_code,
                "channel": "hotline",
                "description": f"{s.description} #{k}",
                "area": area,
                "reporter_name": s.reporter_name,
                "reporter_phone": s.reporter_phone,
                "answers": s.answers,
            }
        )
    return {"items": items}


def _counter() -> int:
    row = MatterCounter.objects.filter(day=timezone.localdate()).first()
    return row.last if row else 0


def test_the_api_answers_numbers_in_input_order(client: Any, bearer: Any) -> None:
    body = _body(5)
    before = _counter()
    resp = client.post(URL, body, content_type="application/json", **_headers(bearer))
    assert resp.status_code == 201, resp.content
    out = resp.json()["items"]
    assert [i["status"] for i in out] == ["submitted"] * 5
    assert _counter() == before + 5
    numbers = [i["number"] for i in out]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    saved = Matter.objects.filter(number__in=numbers).order_by("number")
    assert [m.description for m in saved] == [i["description"] for i in body["items"]]


def _headers(bearer: Any, user: str = "city_admin") -> dict[str, str]:
    return {"HTTP_" + k.upper(): v for k, v in bearer(user).items()}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"description": ""}, "invalid"),  # the schema's own rule
        ({"reporter_phone": "abc"}, "invalid_phone"),  # the service's rule
        ({"category": "no_such_category"}, "invalid_category"),
        ({"area": "999999999999"}, "area_not_found"),
        ({"area": "500103"}, "area_too_coarse"),
        ({"attachments": ["x"]}, "attachments_not_supported"),
    ],
)
def test_an_invalid_item_saves_nothing_and_names_its_index(
    client: Any, bearer: Any, change: dict[str, Any], code: str
) -> None:
    body = _body(6)
    body["items"][3] |= change
    headers = _headers(bearer)
    matters, events, counter = Matter.objects.count(), MatterEvent.objects.count(), _counter()
    resp = client.post(URL, body, content_type="application/json", **headers)
    assert resp.status_code == 422, resp.content
    err = resp.json()
    assert err["code"] == code and err["detail"]["index"] == 3 and err["message"]
    assert Matter.objects.count() == matters and MatterEvent.objects.count() == events
    assert _counter() == counter


def test_an_area_outside_the_scope_is_refused_with_its_index(client: Any, bearer: Any) -> None:
    body = _body(4)
    body["items"][2]["area"] = OUTSIDE
    body["items"][2]["channel"] = "staff"
    matters, counter = Matter.objects.count(), _counter()
    resp = client.post(URL, body, content_type="application/json", **_headers(bearer, "jiefangbei"))
    assert resp.status_code == 403, resp.content
    assert resp.json()["code"] == "forbidden" and resp.json()["detail"]["index"] == 2
    assert Matter.objects.count() == matters and _counter() == counter


def test_batch_size_is_bounded(client: Any, bearer: Any) -> None:
    bodies: list[dict[str, Any]] = [{"items": []}, _body(501)]
    for body in bodies:
        resp = client.post(URL, body, content_type="application/json", **_headers(bearer))
        assert resp.status_code == 422


BATCH_QUERIES = 18
ROLLUP_TABLES = (
    "matters_matterareaday",
    "matters_matterunitday",
    "matters_matterduration",
    "matters_matterareaall",
    "matters_matterdurationall",
)


def test_the_query_count_does_not_grow_with_the_batch(
    client: Any, bearer: Any, django_assert_max_num_queries: Any
) -> None:
    """Token, categories, areas, savepoint, grants, routing rules, counter, one INSERT per table,
    the earlier reports the items may repeat (one query for up to 50 category × street pairs):
    the same statements for 5 items as for 50, but for the rollup upserts, which rollups.flush
    sends in chunks of ~30 rows (one row per matter and area level)."""
    headers = _headers(bearer)
    client.post(URL, _body(2), content_type="application/json", **headers)  # warm caches
    tokenize("路灯")  # the tokenizer's dictionary of area names is read once per process
    others = []
    for n in (5, 50):
        body = _body(n)
        with django_assert_max_num_queries(BATCH_QUERIES) as captured:
            resp = client.post(URL, body, content_type="application/json", **headers)
        assert resp.status_code == 201, resp.content
        sql = [q["sql"] for q in captured.captured_queries]
        others.append(len([q for q in sql if not any(t in q for t in ROLLUP_TABLES)]))
    assert others[0] == others[1]


def test_next_in_sequence_draws_one_or_many(db: Any) -> None:
    day = dt.date(2001, 1, 1)
    with transaction.atomic():
        assert next_in_sequence(MatterCounter, day=day) == 1
        assert next_in_sequence(MatterCounter, day=day) == 2
        assert next_in_sequence(MatterCounter, day=day, n=5) == 7
        assert next_in_sequence(MatterCounter, day=dt.date(2001, 1, 2), n=3) == 3
        assert next_in_sequence(MatterCounter, day=day) == 8
        with pytest.raises(ValueError):
            next_in_sequence(MatterCounter, day=day, n=0)
