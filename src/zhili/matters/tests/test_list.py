"""The scoped matters list (API and queue page): a fixed number of queries, and rows that read only
the fields a list shows yet present exactly what a fully loaded matter presents."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.models import Area
from zhili.core.pagination import keyset_page
from zhili.matters import selectors, services
from zhili.matters.models import OPEN_STATUSES, Category, Matter, Status
from zhili.matters.presenters import matter_out, row_out
from zhili.org.models import Unit, User

pytestmark = pytest.mark.django_db
GRID = "500103003013001"  # a grid of 解放碑街道
OPEN = ",".join(OPEN_STATUSES)
# token, grants, the own-unit probe (MatterQuerySet._unit_has), the page (its rows joined with
# the matter merged into, so a page with a merged matter costs no more).
LIST_QUERIES = 4


def _matter(actor: User, **kwargs: Any) -> Matter:
    return services.matter_create(
        actor=actor,
        category=Category.objects.get(code="streetlight"),
        channel="staff",
        description="路灯不亮",
        area=Area.objects.get(code=GRID),
        reporter_name="张三",
        reporter_phone="13812345678",
        **kwargs,
    )


@pytest.fixture
def matters(users: dict[str, Any]) -> list[Matter]:
    """Open matters in 解放碑, one led by a unit, one merged into another (not open)."""
    made = [_matter(users["jiefangbei"]) for _ in range(6)]
    unit = Unit.objects.get(name="渝中区住房城乡建委")
    Matter.objects.filter(pk=made[0].pk).update(lead_unit=unit, suggested_unit=unit, triage="big")
    Matter.objects.filter(pk=made[1].pk).update(status=Status.MERGED, merged_into=made[2])
    return made


def _headers(bearer: Any, username: str) -> dict[str, str]:
    return {f"HTTP_{k.upper()}": v for k, v in bearer(username).items()}


@pytest.mark.parametrize("username", ["jiefangbei", "yuzhong"])
def test_list_api_query_count(
    client: Any,
    bearer: Any,
    matters: list[Matter],
    django_assert_max_num_queries: Any,
    username: str,
) -> None:
    headers = _headers(bearer, username)
    url = f"/api/v1/matters?status={OPEN}&limit=2"
    client.get("/api/v1/me", **headers)  # the token's first use is recorded once
    with django_assert_max_num_queries(LIST_QUERIES):
        first = client.get(url, **headers)
    assert first.status_code == 200 and first.json()["next"]
    with django_assert_max_num_queries(LIST_QUERIES):
        deep = client.get(f"{url}&cursor={first.json()['next']}", **headers)
    assert deep.status_code == 200 and deep.json()["items"]
    with django_assert_max_num_queries(LIST_QUERIES):
        everything = client.get("/api/v1/matters?limit=50", **headers)
    assert {m["number"]: m["merged_into"] for m in everything.json()["items"]}[
        matters[1].number
    ] == matters[2].number


@pytest.mark.parametrize("username", ["jiefangbei", "yuzhong", "city_admin"])
def test_list_rows_present_as_full_matters(
    users: dict[str, Any], matters: list[Matter], username: str
) -> None:
    """Every field matter_out shows comes from the trimmed rows, without a query per row, and
    equals what the fully loaded matter shows."""
    user = users[username]
    for status in ("", OPEN):
        qs = selectors.matter_list(user, selectors.MatterFilters(status=status))
        rows = keyset_page(qs, order=("-id",), cursor=None, limit=50).items
        assert rows
        with CaptureQueriesContext(connection) as q:
            shown = [matter_out(user, m) for m in rows]
        assert len(q.captured_queries) == 0
        full = [matter_out(user, Matter.objects.get(pk=m.pk)) for m in rows]
        assert shown == full
        # The API's list reads the same rows as plain values, and shows the same.
        values = selectors.matter_rows(user, selectors.MatterFilters(status=status))
        page = keyset_page(values, order=("-id",), cursor=None, limit=50).items
        assert [row_out(r) for r in page] == full
        assert {m.pk for m in rows} == set(
            selectors.matter_visible(user)
            .filter(**({"status__in": OPEN_STATUSES} if status else {}))
            .order_by("-id")
            .values_list("pk", flat=True)[:50]
        )


def test_list_rows_in_english(client: Any, bearer: Any, matters: list[Matter]) -> None:
    """A row's status label is translated at the request, as a full matter's is."""
    headers = _headers(bearer, "jiefangbei")
    response = client.get("/api/v1/matters?limit=50", HTTP_ACCEPT_LANGUAGE="en", **headers)
    shown = {m["number"]: m["status_label"] for m in response.json()["items"]}
    assert shown[matters[1].number] == "Merged"
    detail = client.get(
        f"/api/v1/matters/{matters[0].number}", HTTP_ACCEPT_LANGUAGE="en", **headers
    )
    assert detail.json()["status_label"] == shown[matters[0].number]
    assert all(label.isascii() for label in shown.values())


def test_queue_page_lists_the_rows(login: Any, matters: list[Matter]) -> None:
    client = login("jiefangbei")
    client.get("/")
    response = client.get("/matters/")
    assert response.status_code == 200
    body = response.content.decode()
    assert matters[0].number in body and "渝中区住房城乡建委" in body


def test_list_api_renders_what_matter_page_renders(
    client: Any, bearer: Any, users: dict[str, Any], matters: list[Matter]
) -> None:
    """The list validates its rows against a plain copy of MatterPage (faster); the bytes sent are
    the ones ninja sends for MatterPage itself."""
    from zhili.api import api
    from zhili.matters.schemas import MatterPage

    user = users["jiefangbei"]
    headers = _headers(bearer, "jiefangbei")
    for status, limit in (("", 50), (OPEN, 3)):
        response = client.get(f"/api/v1/matters?status={status}&limit={limit}", **headers)
        assert response.status_code == 200
        filters = selectors.MatterFilters(status=status)
        page = keyset_page(
            selectors.matter_list(user, filters), order=("-id",), cursor=None, limit=limit
        )
        data = {"items": [matter_out(user, m) for m in page.items], "next": page.next}
        expected = api.renderer.render(
            response.wsgi_request, MatterPage.model_validate(data).model_dump(), response_status=200
        )
        assert response.content == expected.encode()
        assert response["Content-Type"] == "application/json; charset=utf-8"
