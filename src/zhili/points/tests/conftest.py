"""Fixtures of the points tests: one village (a community of 解放碑) with its people, a budget,
a rule catalogue and households in its buildings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

VILLAGE = "500103003013"  # a community of 解放碑街道 (the demo's grids are under it)
BUILDING = "500103003013001001"


@pytest.fixture
def village(db: Any) -> Any:
    from zhili.testing.factories import area

    return area(VILLAGE)


@pytest.fixture
def people(village: Any) -> dict[str, Any]:
    from zhili.points.people import village_people

    return village_people(village)


@pytest.fixture
def budget(village: Any, people: dict[str, Any]) -> Any:
    from zhili.points.services import budget_account, budget_allocate

    budget_allocate(
        actor=people["points_committee"],
        village=village,
        funding_source="区财政",
        amount=10_000,
        key="budget-2026",
    )
    return budget_account(village, "区财政")


@pytest.fixture
def catalogue(village: Any, people: dict[str, Any]) -> Any:
    from zhili.points.rules import ItemSpec, rules_publish

    items = [
        ItemSpec(
            code="A01", category="会议", name="参加村民会议", points=1, evidence_required=False
        ),
        ItemSpec(code="A02", category="会议", name="会议迟到", points=-1, evidence_required=False),
        ItemSpec(code="B01", category="环境", name="村庄大扫除", points=5),
        ItemSpec(code="B02", category="公益", name="道路维护", points=10),
        ItemSpec(code="C01", category="评比", name="最美庭院", points=20),
    ]
    return rules_publish(
        actor=people["points_committee"],
        area=village,
        effective_from=dt.date(2026, 1, 1),
        items=items,
    )


@pytest.fixture
def households(village: Any, people: dict[str, Any]) -> list[Any]:
    from zhili.points.services import household_create
    from zhili.testing.factories import area

    building = area(BUILDING)
    return [
        household_create(
            actor=people["points_committee"],
            area=building,
            number=f"1-{i:02d}",
            head_name=name,
        )
        for i, name in enumerate(["张大山", "李秀英", "王建国"], start=1)
    ]
