"""Query counts of the matter pages, the API and the transitions, pinned exactly in
``matters/tests/query_counts.json`` (``zhili.testing.queries``; rewrite with
``ZHILI_UPDATE_SNAPSHOTS=1`` after a deliberate change)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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


def test_the_detail_api_reads_a_matters_relations_without_a_query_each(
    client: Any, bearer: Any, db: Any
) -> None:
    """A suggested unit, a lead unit, a group of categories or a place cost no query of their
    own (joined, or from the process's memos); a merged matter's target is one prefetch."""
    from zhili.matters.models import Matter

    plain = f.make_matter()
    routed = f.make_dispatched_matter()
    Matter.objects.filter(pk=routed.pk).update(suggested_unit=f.unit("渝中区住房城乡建委"))
    merged = services.matter_merge(actor=f.user("jiefangbei"), matter=f.make_matter(), into=plain)
    headers = bearer("jiefangbei")

    def count(matter: Any) -> int:
        url = f"/api/v1/matters/{matter.number}"
        with CaptureQueriesContext(connection) as q:
            response = client.get(url, headers=headers)
        assert response.status_code == 200, response.content
        return len(q.captured_queries)

    count(plain)  # the token's first use, the memos filled
    base = count(plain)
    assert count(routed) <= base + 2  # its two units read once into the memo
    assert count(routed) == base
    body = client.get(f"/api/v1/matters/{routed.number}", headers=headers).json()
    assert body["suggested_unit"]["name"] == "渝中区住房城乡建委"
    assert body["category_name"] and body["area_name"]
    assert count(merged) == base + 1
    assert (
        client.get(f"/api/v1/matters/{merged.number}", headers=headers).json()["merged_into"]
        == plain.number
    )


def test_intake_draws_the_days_number_after_its_other_writes(db: Any) -> None:
    """The day's counter row stays locked from its upsert to the commit, and every intake in
    the city waits for it: only the number's UPDATE and the audit record may follow it."""
    from zhili.matters.models import Matter

    worker = f.user("jiefangbei")
    first = f.make_matter()
    with CaptureQueriesContext(connection) as q:
        matter = services.matter_create(
            actor=worker,
            category=first.category,
            channel="staff",
            description="路灯不亮",
            area=first.area,
            reporter_phone=f.PHONE,
        )
    sql = [x["sql"] for x in q.captured_queries]
    drawn = next(i for i, s in enumerate(sql) if "matters_mattercounter" in s)
    writes = [s for s in sql[drawn:] if s.split()[0] in ("WITH", "INSERT", "UPDATE", "DELETE")]
    if connection.vendor == "postgresql":  # the draw and the matter's UPDATE are one statement
        assert len(writes) == 2, writes
        assert 'UPDATE "matters_matter" SET "number"' in writes[0], writes
    else:
        assert len(writes) == 3, writes
        assert writes[1].startswith('UPDATE "matters_matter" SET "number"'), writes
    assert writes[-1].startswith('INSERT INTO "core_auditevent"'), writes
    assert any("matters_matterevent" in s for s in sql[:drawn])
    stored = Matter.objects.get(pk=matter.pk)
    assert stored.number == matter.number and stored.number.startswith("Q")
    assert int(stored.number[-6:]) == int(first.number[-6:]) + 1  # consecutive, no gap
    assert not Matter.objects.filter(number__startswith="~").exists()


def test_a_days_millionth_matter_keeps_every_digit(db: Any) -> None:
    """The sequence is padded to six digits, never cut to them."""
    from django.utils import timezone

    from zhili.matters.models import MatterCounter

    first = f.make_matter()
    day = timezone.localtime(first.created_at).date()
    MatterCounter.objects.filter(day=day).update(last=999_998)
    numbers = [
        services.matter_create(
            actor=f.user("jiefangbei"),
            category=first.category,
            channel="staff",
            description="路灯不亮",
            area=first.area,
            at=first.created_at,
        ).number
        for _ in range(2)
    ]
    assert numbers == [f"Q{day:%Y%m%d}999999", f"Q{day:%Y%m%d}1000000"]
