"""Query counts of the area pages and API, pinned exactly in ``areas/tests/query_counts.json``
(``zhili.testing.queries``), and an area page does not grow with its children."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.models import Area
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db

PAGES = ["/areas/", "/areas/500103/", "/areas/500000/", "/areas/500103003013001/"]
API = [
    "/api/v1/areas?parent=500000",
    "/api/v1/areas?parent=500000&limit=200",
    "/api/v1/areas/500103",
]


@pytest.mark.parametrize("url", PAGES)
def test_page_query_count(login: Any, url: str) -> None:
    client = login("city_admin")
    assert client.get(url).status_code == 200  # the session and the process caches are warm
    with assert_query_count(f"page: {url} as city_admin"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", API)
def test_api_query_count(client: Any, bearer: Any, url: str) -> None:
    headers = bearer("city_admin")
    assert client.get(url, headers=headers).status_code == 200  # the token's first use is recorded
    with assert_query_count(f"api: GET {url} as city_admin"):
        assert client.get(url, headers=headers).status_code == 200


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_area_page_does_not_grow_with_its_children(login: Any, users: dict[str, Any]) -> None:
    from zhili.areas.services import area_create

    client = login("city_admin")
    client.get("/")
    community = "500103003016"
    client.get(f"/areas/{community}/")  # both counts are of a warm page
    before = _count(client, f"/areas/{community}/")
    for i in range(10):
        area_create(
            actor=users["city_admin"],
            parent=Area.objects.get(code=community),
            level="grid",
            name=f"加测网格{i}",
        )
    client.get(f"/areas/{community}/")  # a saved area empties the memos (grants, areas): warm
    assert _count(client, f"/areas/{community}/") == before
