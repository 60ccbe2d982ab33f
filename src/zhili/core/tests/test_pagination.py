"""Keyset pagination through the API: bad cursors are 422, walking the pages sees every row once."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from zhili.areas.models import Area


def cursor_of(values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/areas?parent=500103&cursor=not-a-cursor!",
        "/api/v1/areas?parent=500103&cursor=" + cursor_of(["a", "b"]),
        "/api/v1/areas?parent=500103&cursor=" + cursor_of({"code": "500103001"}),
        "/api/v1/areas?parent=500103&cursor=" + cursor_of([{"code": 1}]),
        "/api/v1/org/units?cursor=" + cursor_of(["abc"]),
        "/api/v1/org/users?cursor=" + cursor_of([[1]]),
        "/api/v1/audit?cursor=" + cursor_of([None]),
    ],
    ids=["garbage", "wrong-length", "object", "nested", "text-for-id", "list-for-id", "null"],
)
def test_invalid_cursor_is_422(client: Any, bearer: Any, url: str) -> None:
    response = client.get(url, headers=bearer("city_admin"))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_cursor"
    assert body["message"] == "分页游标无效"


@pytest.mark.django_db
def test_invalid_cursor_on_a_page_is_an_error_page_not_a_500(login: Any) -> None:
    response = login("city_admin").get("/org/units/?cursor=" + cursor_of(["abc"]))
    assert response.status_code == 422
    assert "分页游标无效" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 3, 200])
def test_walking_all_pages_gives_every_child_once(client: Any, bearer: Any, limit: int) -> None:
    headers = bearer("yuzhong")
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        url = f"/api/v1/areas?parent=500103&limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=headers).json()
        assert len(body["items"]) <= limit
        seen += [a["code"] for a in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    expected = Area.objects.current().filter(parent__code="500103").order_by("code")
    assert seen == list(expected.values_list("code", flat=True))
    assert len(seen) == 11


@pytest.mark.django_db
def test_walking_units_with_a_small_limit_gives_every_unit_once(client: Any, bearer: Any) -> None:
    headers = bearer("yuzhong")
    names: list[str] = []
    cursor = None
    while True:
        url = "/api/v1/org/units?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url, headers=headers).json()
        names += [u["name"] for u in body["items"]]
        cursor = body["next"]
        if not cursor:
            break
    assert len(names) == len(set(names)) == 7  # 4 district units + 3 in 解放碑
    assert all("万州" not in n for n in names)
