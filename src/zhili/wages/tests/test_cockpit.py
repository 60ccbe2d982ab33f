"""Wage arrears in the cockpit: the open and red warnings equal the warnings table, per district."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.cockpit.registry import CockpitQuery
from zhili.testing import factories as f
from zhili.wages.cockpit import wages_section
from zhili.wages.models import Severity, Warning, WarningStatus

pytestmark = pytest.mark.django_db


def test_the_cockpit_counts_the_open_warnings(users: dict[str, Any]) -> None:
    project = f.make_wage_project()
    f.make_wage_warning(project)
    city = Area.objects.get(code="500000")
    q = CockpitQuery(
        users["city_admin"],
        city,
        dt.date(2020, 1, 1),
        dt.date(2030, 12, 31),
        tuple(Area.objects.current().filter(parent=city)),
    )
    section = wages_section(q)
    assert section is not None
    got = {fig.key: fig for fig in section.figures}
    open_ = Warning.objects.filter(status__in=[WarningStatus.OPEN, WarningStatus.ASSIGNED])
    assert got["wages.open"].value == open_.count() > 0
    assert got["wages.red"].value == open_.filter(severity=Severity.RED).count()
    assert (
        got["wages.open"].children["500103"]
        == open_.filter(area_path__startswith="500000/500103/").count()
    )
    assert got["wages.raised"].value == Warning.objects.count()
    # 万州's officer sees none of 渝中's warnings.
    wz = Area.objects.get(code="500101")
    far = wages_section(CockpitQuery(users["wanzhou"], wz, q.start, q.end))
    assert far is not None and {x.key: x.value for x in far.figures}["wages.open"] == 0
