"""Fixtures for the Open311 tests: api keys, a POST helper and parsed answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from zhili.open311.services import key_create

BASE = "/open311/v2"
GRID = "500103003013001"  # a demo grid (with a polygon) in 解放碑街道, 民生路社区
JIEFANGBEI = "500103003"
WANZHOU_STREET = "500101001"  # 高笋塘街道, 万州区
IN_GRID = {"lat": "29.5550", "long": "106.5700"}  # inside the grid above


@pytest.fixture
def make_key(db: Any) -> Callable[..., str]:
    def make(name: str = "市民 App", area: Any = None) -> str:
        return key_create(actor=None, name=name, area=area)[1]

    return make


@pytest.fixture
def api_key(make_key: Callable[..., str]) -> str:
    return make_key()


@pytest.fixture
def post(client: Any, api_key: str) -> Callable[..., Any]:
    """POST requests.[fmt] form-encoded, with a valid key unless ``api_key`` is given."""

    def send(fmt: str = "json", **fields: Any) -> Any:
        data = {"api_key": api_key, **fields}
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"{BASE}/requests.{fmt}", data)

    return send


def body(response: Any) -> Any:
    """The JSON answer, checking the content type the specification names."""
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def xml(response: Any) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def assert_errors_json(response: Any, status: int) -> str:
    assert response.status_code == status
    data = body(response)
    assert isinstance(data, list) and len(data) >= 1
    assert set(data[0]) == {"code", "description"}
    assert data[0]["code"] == status and data[0]["description"]
    return str(data[0]["description"])


def assert_errors_xml(response: Any, status: int) -> str:
    assert response.status_code == status
    root = xml(response)
    assert root.tag == "errors"
    error = root.find("error")
    assert error is not None
    assert [child.tag for child in error] == ["code", "description"]
    assert error.findtext("code") == str(status)
    return error.findtext("description") or ""
