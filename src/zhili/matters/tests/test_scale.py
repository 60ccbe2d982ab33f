"""What the city-scale benchmarks (docs/performance.md) changed in matters, held in place:
the API list does not query per row, and the cheaper scope keeps every matter a user may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhili.areas.models import Area
from zhili.matters import services
from zhili.matters.catalogue import routing_rule_set
from zhili.matters.models import Category, Matter
from zhili.org.models import Unit, User

pytestmark = pytest.mark.django_db
GRID = "500103003013001"  # a grid of 解放碑街道
WANZHOU_STREET = "500101001"


def _matter(actor: User, area: str = GRID) -> Matter:
    return services.matter_create(
        actor=actor,
        category=Category.objects.get(code="streetlight"),
        channel="staff",
        description="路灯不亮",
        area=Area.objects.get(code=area),
        reporter_phone="13812345678",
    )


def test_api_list_query_count_does_not_grow_with_rows(
    users: dict, bearer: Any, client: Any
) -> None:
    unit = Unit.objects.get(name="渝中区住房城乡建委")
    routing_rule_set(actor=users["city_admin"], category=Category.objects.get(code="streetlight"),
                     area=Area.objects.get(code="500103"), unit=unit)  # fmt: skip
    headers = {f"HTTP_{k.upper()}": v for k, v in bearer("jiefangbei").items()}

    def queries() -> int:
        with CaptureQueriesContext(connection) as q:
            response = client.get("/api/v1/matters?limit=50", **headers)
        assert response.status_code == 200
        assert all(m["suggested_unit"]["id"] == unit.pk for m in response.json()["items"])
        return len(q.captured_queries)

    _matter(users["jiefangbei"])
    queries()  # the token's first use is recorded once
    few = queries()
    for _ in range(10):
        _matter(users["jiefangbei"])
    assert queries() == few


def test_own_unit_matters_stay_visible_outside_the_area(users: dict) -> None:
    """jiefangbei's unit leads no matter at first; once it leads one (or co-handles one) outside
    解放碑, jiefangbei sees it."""
    officer, admin = users["jiefangbei"], users["city_admin"]
    own = officer.unit
    far = services.matter_accept(actor=admin, matter=_matter(admin, WANZHOU_STREET))
    assert not Matter.objects.visible_to(officer).filter(pk=far.pk).exists()
    services.matter_dispatch(actor=admin, matter=far, unit=own)
    assert Matter.objects.visible_to(officer).filter(pk=far.pk).exists()

    other = services.matter_accept(actor=admin, matter=_matter(admin, WANZHOU_STREET))
    lead = Unit.objects.get(name="万州区社会治理办")
    services.matter_dispatch(actor=admin, matter=other, unit=lead, co_units=[own])
    assert Matter.objects.visible_to(officer).filter(pk=other.pk).exists()


def test_a_grant_on_the_city_sees_every_matter(users: dict) -> None:
    admin = users["city_admin"]
    assert not admin.is_superuser
    _matter(admin)
    _matter(admin, WANZHOU_STREET)
    assert Matter.objects.visible_to(admin).count() == Matter.objects.count() == 2
