"""Every input is bounded (issue 18, item 10): the OpenAPI shows a bound on every string, list
and free-form object of every request body, and the probes of the issue are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhili.matters.models import Matter
from zhili.testing.factories import make_matter

GRID1 = "500103003013001"
ONE = {"category": "streetlight", "description": "民生路 5 号路灯不亮", "area": GRID1}


def unbounded_inputs() -> list[str]:
    from zhili.api import api

    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict[str, Any], where: str, seen: frozenset[str]) -> None:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return
            schema, seen = components[name], seen | {name}
        for key in ("anyOf", "oneOf", "allOf"):
            subs = schema.get(key, [])
            # A Decimal (number, or its digits as a string): pydantic bounds it by max_digits.
            if key == "anyOf" and [s.get("type") for s in subs] == ["number", "string"]:
                continue
            for sub in subs:
                walk(sub, where, seen)
        kind = schema.get("type")
        bounded = {"maxLength", "enum", "const"} & set(schema)
        exempt = schema.get("format") in ("date", "date-time", "time", "binary")
        if kind == "string" and not bounded and not exempt:
            found.append(f"{where}: string without maxLength")
        if kind == "array":
            if "maxItems" not in schema:
                found.append(f"{where}: list without maxItems")
            walk(schema.get("items", {}), where + "[]", seen)
        if kind == "object":
            for name, sub in schema.get("properties", {}).items():
                walk(sub, f"{where}.{name}", seen)
            extra = schema.get("additionalProperties")
            if extra not in (None, False) and "maxProperties" not in schema:
                found.append(f"{where}: object without maxProperties")
            if isinstance(extra, dict):
                walk(extra, where + "{}", seen)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for content in (operation.get("requestBody") or {}).get("content", {}).values():
                walk(content["schema"], f"{method.upper()} {path}", frozenset())
    return found


def test_every_request_body_is_bounded_in_the_openapi() -> None:
    assert unbounded_inputs() == []


def post(client: Any, headers: dict[str, str], url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def assert_refused(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    return body


@pytest.mark.django_db
def test_the_probes_of_the_issue_are_refused(client: Any, bearer: Any) -> None:
    headers = bearer("city_admin")
    matter = make_matter()
    before = Matter.objects.count()
    url = f"/api/v1/matters/{matter.number}/actions"
    assert_refused(post(client, headers, f"{url}/accept", {"note": "长" * 100_000}))
    assert_refused(
        post(client, headers, f"{url}/dispatch", {"unit": 1, "co_units": list(range(100_000))})
    )
    many = {f"q{i}": "x" for i in range(20_000)}
    assert_refused(post(client, headers, "/api/v1/matters", {**ONE, "answers": many}))
    assert_refused(post(client, headers, "/api/v1/matters/batch", {"items": [{**ONE, **many}]}))
    assert Matter.objects.count() == before


@pytest.mark.django_db
def test_staff_cannot_set_the_open311_channel(client: Any, bearer: Any) -> None:
    headers = bearer("jiefangbei")
    before = Matter.objects.count()
    refused = assert_refused(
        post(client, headers, "/api/v1/matters", {**ONE, "channel": "open311"})
    )
    assert refused["code"] == "invalid_channel"
    batch = post(
        client, headers, "/api/v1/matters/batch", {"items": [{**ONE, "channel": "open311"}]}
    )
    assert batch.status_code == 422
    assert Matter.objects.count() == before
    assert post(client, headers, "/api/v1/matters", ONE).status_code == 201  # staff channel
