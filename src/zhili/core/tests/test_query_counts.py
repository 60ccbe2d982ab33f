"""Query counts of list and detail pages are pinned, and do not grow with the rows shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.models import Area
from zhili.org.models import Unit, UnitType, User

# Measured with the demo data; raise a pin only with a reason in the commit message.
PAGE_PINS = {
    "/areas/500103/": 15,
    "/areas/500000/": 14,
    "/areas/500103003013001/": 15,
    "/org/users/": 8,
    "/org/units/": 8,
    "/audit/": 8,
}
API_PINS = {
    "/api/v1/areas?parent=500000": 4,
    "/api/v1/areas?parent=500000&limit=200": 4,
    "/api/v1/areas/500103": 6,
    "/api/v1/org/users": 3,
    "/api/v1/audit": 3,
}


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "pin"), PAGE_PINS.items())
def test_page_query_count(
    login: Any, django_assert_max_num_queries: Any, url: str, pin: int
) -> None:
    client = login("city_admin")
    client.get("/")  # the session exists before we count
    with django_assert_max_num_queries(pin):
        assert client.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "pin"), API_PINS.items())
def test_api_query_count(
    client: Any, bearer: Any, django_assert_max_num_queries: Any, url: str, pin: int
) -> None:
    headers = bearer("city_admin")
    client.get("/api/v1/me", headers=headers)  # the token's first use is recorded once
    with django_assert_max_num_queries(pin):
        assert client.get(url, headers=headers).status_code == 200


def _count(client: Any, url: str, **kwargs: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, **kwargs).status_code == 200
    return len(ctx)


@pytest.mark.django_db
def test_user_and_unit_lists_do_not_grow_with_their_rows(login: Any) -> None:
    client = login("yuzhong")
    client.get("/")
    before = (_count(client, "/org/users/"), _count(client, "/org/units/"))
    street = Area.objects.get(code="500103001")
    for i in range(15):
        unit = Unit.objects.create(name=f"测试单位{i}", type=UnitType.OTHER, area=street)
        User.objects.create(username=f"extra{i}", area=street, unit=unit)
    assert (_count(client, "/org/users/"), _count(client, "/org/units/")) == before


@pytest.mark.django_db
def test_area_page_does_not_grow_with_its_children(login: Any, users: dict[str, Any]) -> None:
    from zhili.areas.services import area_create

    client = login("city_admin")
    client.get("/")
    community = "500103003016"
    before = _count(client, f"/areas/{community}/")
    for i in range(10):
        area_create(
            actor=users["city_admin"],
            parent=Area.objects.get(code=community),
            level="grid",
            name=f"加测网格{i}",
        )
    assert _count(client, f"/areas/{community}/") == before
