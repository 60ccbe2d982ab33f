"""Query counts of the deliberation and legal pages, pinned in
``deliberation/tests/query_counts.json`` (``ZHILI_UPDATE_SNAPSHOTS=1`` rewrites them), and the
project page's count does not grow with its households."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.deliberation import services
from zhili.deliberation.services import StepInput
from zhili.testing import factories as f
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(secretary: Any, community: Any) -> Any:
    d = services.deliberation_create(actor=secretary, area=community, title="议题", content="内容")
    for action in ("propose", "discuss"):
        d = services.step_record(
            actor=secretary,
            deliberation=d,
            action=action,
            step=StepInput(held_on=dt.date(2026, 11, 2), text=action),
        )
    return d


def _project(secretary: Any, community: Any, households: int) -> Any:
    p = services.project_create(
        actor=secretary,
        area=community,
        title="步道",
        purpose="road",
        description="300 米",
        proposer="committee",
        villagers=100,
        budget="1000",
        year=2026,
    )
    p = services.project_notice(
        actor=secretary,
        project=p,
        notice_from=dt.date(2026, 9, 1),
        notice_until=dt.date(2026, 9, 7),
    )
    p = services.project_canvass(actor=secretary, project=p, households=40, canvassed=38, agree=33)
    from zhili.deliberation.rules import Tally

    p = services.project_vote(
        actor=secretary,
        project=p,
        assembly="representatives",
        tally=Tally(due=15, present=10, votes_for=6),
        held_on=dt.date(2026, 9, 20),
    )
    p = services.project_township(actor=f.user("jiefangbei"), project=p, approve=True)
    p = services.project_reply(actor=f.user("yuzhong"), project=p, approved=True)
    for i in range(households):
        services.contribution_add(
            actor=secretary,
            project=p,
            household=f"户{i}",
            persons=2,
            money="20",
            on=dt.date(2026, 10, 1),
        )
    return p


@pytest.mark.parametrize(
    "page", ["/deliberation/", "/deliberation/{number}/", "/legal/", "/public/notices/"]
)
def test_page_query_count(login: Any, record: Any, page: str) -> None:
    client = login("secretary_msl")
    url = page.format(number=record.number)
    assert client.get(url).status_code == 200
    with assert_query_count(f"page: {page} as secretary_msl"):
        assert client.get(url).status_code == 200


def test_the_project_page_does_not_grow_with_its_households(
    login: Any, secretary: Any, community: Any
) -> None:
    client = login("secretary_msl")
    counts = []
    for n in (2, 8):
        url = f"/deliberation/projects/{_project(secretary, community, n).number}/"
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
