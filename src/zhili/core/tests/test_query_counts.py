"""Query counts of core's pages and API, pinned exactly in ``core/tests/query_counts.json``
(``zhili.testing.queries``); the areas and org pages are pinned in their own apps."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db

PAGES = ["/audit/", "/inbox/", "/calendar/", "/"]
API = ["/api/v1/audit", "/api/v1/me"]


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
