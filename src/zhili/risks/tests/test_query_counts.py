"""Query counts of the risk pages, the API and the steps of a risk, pinned exactly in
``risks/tests/query_counts.json`` (``zhili.testing.queries``; rewrite with
``ZHILI_UPDATE_SNAPSHOTS=1`` after a deliberate change)."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.risks import services
from zhili.testing import factories as f
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def risks(db: Any) -> list[Any]:
    """Three risks in 解放碑, the last one rated."""
    made = [f.make_risk(), f.make_risk(title="某工地欠薪", category="labour")]
    rated = f.make_risk(title="某商场消防隐患", category="safety")
    services.risk_assess(
        actor=f.user("jiefangbei"),
        risk=rated,
        kind="current",
        likelihood=3,
        impact=3,
        confidence="high",
    )
    return [*made, rated]


PAGES = ["/risks/", "/risks/queue/", "/risks/{number}/", "/risks/candidates/"]
API = ["/api/v1/risks", "/api/v1/risks/{number}"]


@pytest.mark.parametrize("username", ["jiefangbei", "yuzhong"])
@pytest.mark.parametrize("page", PAGES)
def test_page_query_count(login: Any, risks: list[Any], page: str, username: str) -> None:
    client = login(username)
    url = page.format(number=risks[-1].number)
    assert client.get(url).status_code == 200  # the session and the process caches are warm
    with assert_query_count(f"page: {page} as {username}"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", API)
def test_api_query_count(client: Any, bearer: Any, risks: list[Any], path: str) -> None:
    headers = bearer("jiefangbei")
    url = path.format(number=risks[-1].number)
    assert client.get(url, headers=headers).status_code == 200  # the token's first use
    with assert_query_count(f"api: GET {path} as jiefangbei"):
        assert client.get(url, headers=headers).status_code == 200


def test_transition_query_counts(db: Any) -> None:
    """Each step on a second risk, after the same step on a first one warmed the caches."""
    worker = f.user("jiefangbei")
    steps = [
        (
            "assess",
            lambda r: services.risk_assess(
                actor=worker, risk=r, kind="current", likelihood=2, impact=2, confidence="high"
            ),
        ),
        (
            "assign",
            lambda r: services.risk_assign(
                actor=worker, risk=r, person=worker, unit=f.unit("解放碑街道综治中心")
            ),
        ),
    ]
    first, second = f.make_risk(), f.make_risk()
    for name, step in steps:
        step(first)
        with assert_query_count(f"transition: {name}"):
            step(second)
