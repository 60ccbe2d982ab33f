"""Query counts of the org pages and API, pinned exactly in ``org/tests/query_counts.json``
(``zhili.testing.queries``), and the user and unit lists do not grow with their rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.models import Area
from zhili.org.models import Unit, UnitType, User
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db

PAGES = ["/org/users/", "/org/units/", "/org/roles/", "/org/liaisons/"]
API = ["/api/v1/org/users", "/api/v1/org/units", "/api/v1/org/roles"]


@pytest.mark.parametrize("username", ["city_admin", "yuzhong"])
@pytest.mark.parametrize("url", PAGES)
def test_page_query_count(login: Any, url: str, username: str) -> None:
    client = login(username)
    assert client.get(url).status_code == 200  # the session and the process caches are warm
    with assert_query_count(f"page: {url} as {username}"):
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


def test_user_and_unit_lists_do_not_grow_with_their_rows(login: Any) -> None:
    client = login("yuzhong")
    client.get("/")
    before = (_count(client, "/org/users/"), _count(client, "/org/units/"))
    street = Area.objects.get(code="500103001")
    for i in range(15):  # plain rows (no password hashing): only the list's size matters here
        unit = Unit.objects.create(name=f"测试单位{i}", type=UnitType.OTHER, area=street)
        User.objects.create(username=f"extra{i}", area=street, unit=unit)
    assert (_count(client, "/org/users/"), _count(client, "/org/units/")) == before
