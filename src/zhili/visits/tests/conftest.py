from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.testing import factories as f
from zhili.visits import services


@pytest.fixture
def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def plan(db: Any) -> Any:
    """grid_jfb_01's plan over their grid, made by the street."""
    return services.plan_create(
        actor=f.user("jiefangbei"),
        cadre=f.user("grid_jfb_01"),
        area=f.area(f.GRID),
        title="十二月楼栋工作日",
    )


@pytest.fixture
def visit(plan: Any, today: dt.date) -> Any:
    return services.visit_schedule(
        actor=f.user("jiefangbei"), plan=plan, building=f.area(f.BUILDING), date=today
    )
