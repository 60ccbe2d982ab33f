"""Query counts of the dispute pages, the API and the steps of a dispute, pinned exactly in
``disputes/tests/query_counts.json`` (``zhili.testing.queries``; rewrite with
``ZHILI_UPDATE_SNAPSHOTS=1`` after a deliberate change)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from zhili.disputes import services
from zhili.testing import factories as f
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def disputes(db: Any) -> list[Any]:
    """Three disputes in 解放碑, the last one with a mediator."""
    return [f.make_dispute(), f.make_dispute(channel="direct"), f.make_mediating_dispute()]


PAGES = ["/disputes/", "/disputes/{number}/", "/disputes/stats/"]
API = ["/api/v1/disputes", "/api/v1/disputes/{number}", "/api/v1/disputes/stats"]


@pytest.mark.parametrize("username", ["jiefangbei", "mediator_jfb"])
@pytest.mark.parametrize("page", PAGES)
def test_page_query_count(login: Any, disputes: list[Any], page: str, username: str) -> None:
    client = login(username)
    url = page.format(number=disputes[-1].number)
    assert client.get(url).status_code == 200  # the session and the process caches are warm
    with assert_query_count(f"page: {page} as {username}"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", API)
def test_api_query_count(client: Any, bearer: Any, disputes: list[Any], path: str) -> None:
    headers = bearer("jiefangbei")
    url = path.format(number=disputes[-1].number)
    assert client.get(url, headers=headers).status_code == 200  # the token's first use
    with assert_query_count(f"api: GET {path} as jiefangbei"):
        assert client.get(url, headers=headers).status_code == 200


def test_transition_query_counts(db: Any) -> None:
    """Each step on a second dispute, after the same step on a first one warmed the caches."""
    worker, mediator = f.user("jiefangbei"), f.user("mediator_jfb")
    committee = f.unit("解放碑街道人民调解委员会")
    steps = [
        (
            "assign",
            lambda d: services.dispute_assign(
                actor=worker, dispute=d, committee=committee, mediator=mediator
            ),
        ),
        (
            "session",
            lambda d: services.session_add(
                actor=mediator, dispute=d, at=timezone.now(), notes="双方到场，初步沟通"
            ),
        ),
        ("agree", lambda d: services.dispute_agree(actor=mediator, dispute=d, agreement="返工")),
    ]
    first, second = f.make_dispute(), f.make_dispute()
    for name, step in steps:
        step(first)
        with assert_query_count(f"transition: {name}"):
            step(second)
