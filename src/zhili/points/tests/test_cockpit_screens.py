"""The points bank in the cockpit and on the kiosk: the figures equal the facts (counted records,
picked-up orders) and the slide shows the village's published ranking."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from zhili.areas.models import Area
from zhili.cockpit.registry import CockpitQuery
from zhili.cockpit.selectors import period_of
from zhili.points.cockpit import points_section
from zhili.points.models import Order, OrderStatus, Record, RecordStatus
from zhili.points.screens import ranking_slides

pytestmark = pytest.mark.django_db


def test_the_cockpit_figures_are_the_ledgers_facts(users: dict[str, Any]) -> None:
    with override_settings(DEBUG=True):
        call_command("demo_points", stdout=io.StringIO())
    city = Area.objects.get(code="500000")
    period = period_of()  # the cockpit's own period: the last 30 days, today included
    q = CockpitQuery(
        user=users["city_admin"],
        area=city,
        start=period.start,
        end=period.end,
        children=tuple(Area.objects.current().filter(parent=city)),
    )
    section = points_section(q)
    assert section is not None
    got = {f.key: f for f in section.figures}
    counted = Record.objects.filter(status=RecordStatus.COUNTED, points__gt=0)
    issued = counted.aggregate(n=Sum("points"))["n"] or 0
    redeemed = (
        Order.objects.filter(status=OrderStatus.PICKED_UP).aggregate(n=Sum("points"))["n"] or 0
    )
    assert got["points.issued"].value == issued > 0
    assert got["points.redeemed"].value == redeemed
    assert got["points.issued"].children.get("500103") == issued  # all in 渝中区
    # A user without the points rights sees no section.
    assert points_section(CockpitQuery(users["unit_gaj"], city, q.start, q.end)) is None


def test_the_kiosk_shows_the_published_ranking(users: dict[str, Any]) -> None:
    with override_settings(DEBUG=True):
        call_command("demo_points", stdout=io.StringIO())
    from zhili.screens.models import ServiceCentre

    community = Area.objects.get(code="500103003013")  # 民生路社区, the demo village
    centre = ServiceCentre(area=community, area_path=community.path, name="民生路便民服务中心")
    slides = ranking_slides(centre, timezone.localdate())
    assert slides and slides[0].rows[0] == ["名次", "户号", "户主", "本月积分"]
    assert all("*" in row[2] for row in slides[0].rows[1:])  # names masked by default
    street = Area.objects.get(code="500103003")
    assert (
        ranking_slides(ServiceCentre(area=street, area_path=street.path), timezone.localdate())
        == []
    )
