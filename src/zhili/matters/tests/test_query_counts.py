"""Query counts of the matter pages, the API and the transitions, pinned exactly in
``matters/tests/query_counts.json`` (``zhili.testing.queries``; rewrite with
``ZHILI_UPDATE_SNAPSHOTS=1`` after a deliberate change)."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.matters import services
from zhili.testing import factories as f
from zhili.testing.queries import assert_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def matters(db: Any) -> list[Any]:
    """Four matters in 解放碑: one with a photo, one accepted, one dispatched to a unit."""
    made = [f.make_matter(attachments=[f.make_attachment()]), f.make_matter()]
    made.append(services.matter_accept(actor=f.user("jiefangbei"), matter=f.make_matter()))
    made.append(f.make_dispatched_matter())
    return made


PAGES = ["/matters/", "/matters/{number}/", "/matters/metrics/"]
API = ["/api/v1/matters", "/api/v1/matters/{number}", "/api/v1/matters/{number}/events"]


@pytest.mark.parametrize("username", ["jiefangbei", "unit_yz_jw"])
@pytest.mark.parametrize("page", PAGES)
def test_page_query_count(login: Any, matters: list[Any], page: str, username: str) -> None:
    client = login(username)
    url = page.format(number=matters[-1].number)
    assert client.get(url).status_code == 200  # the session and the process caches are warm
    with assert_query_count(f"page: {page} as {username}"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", API)
def test_api_query_count(client: Any, bearer: Any, matters: list[Any], path: str) -> None:
    headers = bearer("jiefangbei")
    url = path.format(number=matters[-1].number)
    assert client.get(url, headers=headers).status_code == 200  # the token's first use
    with assert_query_count(f"api: GET {path} as jiefangbei"):
        assert client.get(url, headers=headers).status_code == 200


def test_transition_query_counts(db: Any) -> None:
    """Each step on a second matter, after the same step on a first one warmed the caches."""
    worker, unit = f.user("jiefangbei"), f.unit("渝中区住房城乡建委")
    handler = f.user("unit_yz_jw")
    steps = [
        ("accept", lambda m: services.matter_accept(actor=worker, matter=m)),
        ("dispatch", lambda m: services.matter_dispatch(actor=worker, matter=m, unit=unit)),
        ("sign", lambda m: services.matter_sign(actor=handler, matter=m)),
    ]
    first, second = f.make_matter(), f.make_matter()
    for name, step in steps:
        first = step(first)
        with assert_query_count(f"transition: {name}"):
            second = step(second)
    intake = {
        "actor": worker,
        "category": first.category,
        "channel": "staff",
        "description": "路灯不亮",
        "area": first.area,
        "reporter_phone": f.PHONE,
    }
    services.matter_create(**intake)
    with assert_query_count("transition: create"):
        services.matter_create(**intake)
