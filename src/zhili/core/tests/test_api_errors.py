"""Every refusal of the API has the shape {"code", "message", "detail"} with a Chinese message."""

from __future__ import annotations

from typing import Any

import pytest

URL = "/api/v1/areas/500103003016/children"


def post(client: Any, headers: dict, body: str) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_chinese_400(client: Any, bearer: Any) -> None:
    response = post(client, bearer("jiefangbei"), "not json")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["message"]) == ("bad_request", "请求格式不正确")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ('{"level": "grid"}', 422, "invalid"),
        ('{"level": "grid", "name": "x", "households": "many"}', 422, "invalid"),
        ('{"level": "community", "name": "x"}', 422, "invalid_level"),
        ('{"level": "grid", "name": "x", "lat": 95, "lng": 100}', 422, "invalid_point"),
        (
            '{"level": "grid", "name": "x", "geometry": {"type": "Polygon"}}',
            422,
            "invalid_geometry",
        ),
    ],
    ids=["no-name", "households-text", "level", "lat", "geometry"],
)
def test_bad_create_requests(client: Any, bearer: Any, body: str, status: int, code: str) -> None:
    from zhili.areas.models import Area

    before = Area.objects.count()
    response = post(client, bearer("jiefangbei"), body)
    assert response.status_code == status
    payload = response.json()
    assert set(payload) == {"code", "message", "detail"}
    assert payload["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in payload["message"])
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_a_good_create_request(client: Any, bearer: Any) -> None:
    response = post(client, bearer("jiefangbei"), '{"level": "grid", "name": "API 网格"}')
    assert response.status_code == 201
    assert response.json()["code"] == "500103003016004"


@pytest.mark.django_db
def test_unknown_level_filter_lists_the_allowed_ones(client: Any, bearer: Any) -> None:
    response = client.get("/api/v1/areas?level=town", headers=bearer("city_admin"))
    assert response.status_code == 422
    assert "district" in response.json()["detail"]["allowed"]
