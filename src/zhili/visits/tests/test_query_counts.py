"""Pinned query counts of the visit and compound pages and transitions; the pages do not grow
with their rows (residents, demands, follow-ups)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.matters.models import Category
from zhili.testing import factories as f
from zhili.testing.queries import assert_query_count
from zhili.visits import services

pytestmark = pytest.mark.django_db


def count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_rows(visit: Any, n: int) -> None:
    cadre = f.user("grid_jfb_01")
    cat = Category.objects.get(code="streetlight")
    for i in range(n):
        r = services.resident_add(actor=cadre, visit=visit, name=f"居民{i}", phone="13800000000")
        services.demand_add(
            actor=cadre, visit=visit, text=f"诉求{i}", category=cat, resident=r, to_matter=True
        )


def test_visit_page_does_not_grow_with_demands(login: Any, visit: Any) -> None:
    client = login("grid_jfb_01")
    url = f"/visits/{visit.pk}/"
    add_rows(visit, 1)
    client.get(url)
    one = count(client, url)
    add_rows(visit, 3)
    assert count(client, url) == one
    with assert_query_count("page: /visits/<pk>/ as grid_jfb_01"):
        client.get(url)
    with assert_query_count("transition: visit record"):
        services.visit_record(actor=f.user("grid_jfb_01"), visit=visit)


def test_meeting_page_does_not_grow_with_followups(login: Any) -> None:
    from zhili.compounds import services as cs

    meeting = f.make_meeting("jiefangbei")
    client = login("jiefangbei")
    url = f"/compounds/meetings/{meeting.pk}/"
    client.get(url)
    one = count(client, url)
    party = meeting.parties.first()
    for i in range(3):
        cs.followup_add(
            actor=f.user("jiefangbei"),
            meeting=meeting,
            text=f"任务{i}",
            owner=party,
            due=meeting.held_on,
        )
    assert count(client, url) == one
    with assert_query_count("page: /compounds/meetings/<pk>/ as jiefangbei", app="visits"):
        client.get(url)


def test_report_page_is_a_fixed_number_of_queries(login: Any, visit: Any) -> None:
    client = login("jiefangbei")
    client.get("/visits/report/")
    with assert_query_count("page: /visits/report/ as jiefangbei"):
        client.get("/visits/report/")
