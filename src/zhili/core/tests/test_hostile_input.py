"""Input that once answered 500 (issue 18, item 4): NUL characters anywhere, crafted keyset
cursors on every list page and every list API, oversized bodies, tracebacks in DEBUG.

The list endpoints are not hand-listed: the API's come from the OpenAPI (every GET operation
with a ``cursor`` parameter), the pages' from the URLconf (every page route without a parameter).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

BAD_CURSORS = {
    "infinity": "[Infinity]",
    "minus-infinity": "[-Infinity]",
    "nan": "[NaN]",
    "nul": '["\\u0000"]',
    "nul-in-text": '["500103\\u0000"]',
    "huge-int": "[99999999999999999999999]",
    "huge-float": "[1e308]",
    "fraction": "[1.5]",
    "bool": "[true]",
    "null": "[null]",
    "object": '[{"a": 1}]',
    "list": "[[1]]",
    "text": '["abc"]',
    "bad-date": '["2026-13-45"]',
    "long-text": json.dumps(["x" * 5000]),
    "wrong-length": "[1, 2, 3]",
    "not-json": "{{{",
}

# Refused whatever the ordering field; the others only where they do not fit the field's type.
ALWAYS_BAD = {
    "infinity",
    "minus-infinity",
    "nan",
    "nul",
    "nul-in-text",
    "bool",
    "null",
    "object",
    "list",
    "long-text",
    "wrong-length",
    "not-json",
}


def cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def api_list_paths() -> list[str]:
    from zhili.api import api

    document = api.get_openapi_schema()
    found = []
    for path, operations in document["paths"].items():
        get = operations.get("get") or {}
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        if "cursor" in names:
            assert "{" not in path, f"{path}: a list API with a path parameter needs a value here"
            found.append(path)
    return sorted(found)


def page_paths() -> list[str]:
    """Every page route of the URLconf without a parameter (the API and Open311 excluded)."""

    def walk(patterns: list[Any], prefix: str) -> list[str]:
        out = []
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith(("api/", "open311/", "i18n/")):
                    continue
                out += walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern):
                full = prefix + route
                if "<" not in full and "(?P" not in full and "^" not in full:
                    out.append("/" + full)
        return out

    return sorted(set(walk(get_resolver().url_patterns, "")) - {"/logout/"})


API_LISTS = api_list_paths()
PAGES = page_paths()


def test_the_enumerations_found_the_lists() -> None:
    assert len(API_LISTS) >= 8, API_LISTS
    assert "/api/v1/matters" in API_LISTS and "/api/v1/audit" in API_LISTS
    assert "/matters/" in PAGES and "/audit/" in PAGES and "/org/units/" in PAGES


def assert_error_body(response: Any, status: int | None = None) -> dict[str, Any]:
    if status is not None:
        assert response.status_code == status, response.content[:300]
    assert 400 <= response.status_code < 500, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    return body


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_LISTS)
def test_every_list_api_refuses_every_crafted_cursor(client: Any, bearer: Any, path: str) -> None:
    headers = bearer("city_admin")
    for name, raw in BAD_CURSORS.items():
        response = client.get(path, {"cursor": cursor(raw)}, headers=headers)
        if name not in ALWAYS_BAD and response.status_code == 200:
            continue  # e.g. a number is a fine value for a text ordering field (areas by code)
        body = assert_error_body(response, 422)
        assert body["code"] == "invalid_cursor", (name, body)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_no_page_answers_500_to_a_crafted_cursor(login: Any, path: str) -> None:
    client = login("city_admin")
    for name, raw in BAD_CURSORS.items():
        response = client.get(path, {"cursor": cursor(raw)})
        assert response.status_code < 500, (path, name)


@pytest.mark.django_db
def test_a_good_cursor_still_pages(client: Any, bearer: Any) -> None:
    headers = bearer("city_admin")
    first = client.get("/api/v1/audit", {"limit": 1}, headers=headers).json()
    if first["next"]:
        second = client.get("/api/v1/audit", {"limit": 1, "cursor": first["next"]}, headers=headers)
        assert second.status_code == 200


# NUL characters --------------------------------------------------------------------------------


def nul_bodies() -> list[tuple[str, str, dict[str, Any]]]:
    """A NUL in each kind of field an intake or a write takes (title, address, category, area,
    batch items, dispute subject, merge target): the check is one, for every body."""
    return [
        ("/api/v1/matters", "title", {"title": "路灯\x00坏了", "description": "x"}),
        ("/api/v1/matters", "address", {"title": "路灯", "address": "\x00"}),
        ("/api/v1/matters", "category", {"title": "路灯", "category": "\x00"}),
        ("/api/v1/matters", "area", {"title": "路灯", "area": "500103\x00"}),
        ("/api/v1/matters/batch", "batch", {"items": [{"title": "a\x00"}]}),
        ("/api/v1/disputes", "subject", {"subject": "\x00"}),
        ("/api/v1/matters/M-1/actions/merge", "target", {"target": "\x00"}),
        ("/api/v1/matters", "key", {"ti\x00tle": "x"}),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "field", "body"), nul_bodies(), ids=lambda v: str(v)[:12])
def test_a_nul_in_any_json_string_is_a_400(
    client: Any, bearer: Any, path: str, field: str, body: dict[str, Any]
) -> None:
    response = client.post(
        path, json.dumps(body), content_type="application/json", headers=bearer("jiefangbei")
    )
    assert assert_error_body(response, 400)["code"] == "invalid_character"


@pytest.mark.django_db
def test_a_nul_in_a_json_body_sent_as_text_plain_is_refused_too(client: Any, bearer: Any) -> None:
    response = client.post(
        "/api/v1/matters",
        json.dumps({"title": "\x00"}),
        content_type="text/plain",
        headers=bearer("jiefangbei"),
    )
    assert assert_error_body(response, 400)["code"] == "invalid_character"


@pytest.mark.django_db
def test_an_escaped_backslash_u0000_is_not_a_nul(client: Any, bearer: Any) -> None:
    # The text "\u0000" (a backslash and five characters) is harmless: not refused as NUL.
    response = client.post(
        "/api/v1/matters",
        json.dumps({"title": "\\u0000"}),
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert response.status_code != 400 or response.json()["code"] != "invalid_character"


@pytest.mark.django_db
def test_a_nul_in_an_open311_form_is_a_400_in_the_specs_shape(client: Any) -> None:
    response = client.post("/open311/v2/requests.json", {"description": "a\x00b"})
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


# Size limits and tracebacks -----------------------------------------------------------------


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_json_body_over_the_limit_is_a_413_with_the_error_body(client: Any, bearer: Any) -> None:
    body = json.dumps({"title": "长" * 2000})
    response = client.post(
        "/api/v1/matters", body, content_type="application/json", headers=bearer("jiefangbei")
    )
    assert assert_error_body(response, 413)["code"] == "too_large"


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_over_the_limit_is_a_413_page(login: Any) -> None:
    response = login("jiefangbei").post("/matters/new/", {"title": "长" * 2000})
    assert response.status_code == 413
    assert "请求内容过大" in response.content.decode()


@pytest.mark.django_db
def test_deeply_nested_json_is_not_a_500(client: Any, bearer: Any) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/matters/batch", body, content_type="application/json", headers=bearer("jiefangbei")
    )
    assert 400 <= response.status_code < 500
    assert_error_body(response)


@pytest.mark.django_db
@override_settings(DEBUG=True, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_an_unexpected_error_in_the_api_shows_no_traceback_even_in_debug(
    client: Any, bearer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zhili.core import api as core_api

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(core_api, "audit_search", broken)
    client.raise_request_exception = False
    response = client.get("/api/v1/audit", headers=bearer("city_admin"))
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_a_404_outside_the_operations_stays_a_404(client: Any) -> None:
    response = client.get("/api/v1/")  # django-ninja's docs home, switched off: Http404
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
