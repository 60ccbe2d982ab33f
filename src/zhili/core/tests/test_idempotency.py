"""Idempotency-Key on intake (issue 18, item 7): single, batch and Open311. A retry returns the
first answer and files nothing new; the same key with another body is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhili.core.models import IdempotencyKey
from zhili.matters.models import Matter
from zhili.open311.services import key_create

pytestmark = pytest.mark.django_db

GRID1 = "500103003013001"
ONE = {"category": "streetlight", "description": "民生路 5 号路灯不亮", "area": GRID1}


def send(client: Any, headers: dict[str, str], url: str, body: Any, key: str | None) -> Any:
    extra = {**headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(url, json.dumps(body), content_type="application/json", headers=extra)


def test_a_retried_intake_returns_the_first_answer(client: Any, bearer: Any) -> None:
    headers = bearer("jiefangbei")
    before = Matter.objects.count()
    first = send(client, headers, "/api/v1/matters", ONE, "k-1")
    assert first.status_code == 201
    again = send(client, headers, "/api/v1/matters", ONE, "k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Matter.objects.count() == before + 1
    # Without the key, the same body is a new matter (the key is the client's promise).
    assert send(client, headers, "/api/v1/matters", ONE, None).status_code == 201
    assert Matter.objects.count() == before + 2


def test_the_same_key_with_another_body_is_refused(client: Any, bearer: Any) -> None:
    headers = bearer("jiefangbei")
    assert send(client, headers, "/api/v1/matters", ONE, "k-2").status_code == 201
    before = Matter.objects.count()
    other = {**ONE, "description": "另一件事"}
    refused = send(client, headers, "/api/v1/matters", other, "k-2")
    assert refused.status_code == 422
    body = refused.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == "idempotency_key_reused"
    assert Matter.objects.count() == before


def test_keys_are_per_client(client: Any, bearer: Any) -> None:
    a = send(client, bearer("jiefangbei"), "/api/v1/matters", ONE, "shared")
    b = send(client, bearer("city_admin"), "/api/v1/matters", ONE, "shared")
    assert a.status_code == b.status_code == 201
    assert a.json()["number"] != b.json()["number"]


def test_a_refusal_is_not_remembered(client: Any, bearer: Any) -> None:
    headers = bearer("jiefangbei")
    bad = {**ONE, "category": "no-such-category"}
    assert send(client, headers, "/api/v1/matters", bad, "k-3").status_code >= 400
    assert not IdempotencyKey.objects.filter(key="k-3").exists()
    # The corrected request may use the same key.
    assert send(client, headers, "/api/v1/matters", ONE, "k-3").status_code == 201


def test_a_malformed_key_is_422(client: Any, bearer: Any) -> None:
    response = send(client, bearer("jiefangbei"), "/api/v1/matters", ONE, "x" * 300)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_idempotency_key"


def test_a_retried_batch_returns_the_first_answer(client: Any, bearer: Any) -> None:
    headers = bearer("jiefangbei")
    body = {"items": [ONE, {**ONE, "description": "民生路 7 号路灯不亮"}]}
    before = Matter.objects.count()
    first = send(client, headers, "/api/v1/matters/batch", body, "b-1")
    assert first.status_code in (200, 201), first.content
    again = send(client, headers, "/api/v1/matters/batch", body, "b-1")
    assert again.json() == first.json() and again.status_code == first.status_code
    assert Matter.objects.count() == before + 2
    changed = {"items": [ONE]}
    assert send(client, headers, "/api/v1/matters/batch", changed, "b-1").status_code == 422


def test_a_retried_open311_post_returns_the_first_answer(client: Any) -> None:
    raw = key_create(actor=None, name="市民 App")[1]
    form = {
        "api_key": raw,
        "service_code": "streetlight",
        "jurisdiction_id": GRID1,
        "phone": "13800138000",
        "description": "民生路 9 号路灯不亮",
    }
    url = "/open311/v2/requests.json"
    before = Matter.objects.count()
    first = client.post(url, form, headers={"Idempotency-Key": "o-1"})
    assert first.status_code == 201, first.content
    again = client.post(url, form, headers={"Idempotency-Key": "o-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Location"] == first["Location"]
    assert Matter.objects.count() == before + 1
    other = client.post(url, {**form, "description": "别的"}, headers={"Idempotency-Key": "o-1"})
    assert other.status_code == 422
    assert other.json()[0]["code"] == 422
