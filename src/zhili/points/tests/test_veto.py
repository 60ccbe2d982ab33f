"""一票否决: a counted veto item takes the household out of the yearly assessment, whatever its
points (listed last without a rank); weekly and monthly rankings are not affected."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhili.points import rules, selectors
from zhili.points.tests.test_flow import _counted

pytestmark = pytest.mark.django_db


def test_a_veto_item_takes_the_household_out_of_the_year(
    people: dict, village: Any, budget: Any, households: list
) -> None:
    version = rules.rules_publish(
        actor=people["points_committee"],
        area=village,
        effective_from=dt.date(2026, 1, 1),
        items=[
            rules.ItemSpec(code="B01", name="村庄大扫除", points=5),
            rules.ItemSpec(code="B02", name="道路维护", points=10),
            rules.ItemSpec(code="C01", name="最美庭院", points=20),
            rules.ItemSpec(code="D01", name="违规建房", points=-5, veto=True),
        ],
    )
    first, second, third = households
    for code in ("B02", "C01", "D01"):
        _counted(people, first, version, code)  # 25 points, and a veto
    _counted(people, second, version, "B01")  # 5 points
    on = dt.date(2026, 3, 2)
    year = selectors.household_ranking(village, "year", on)
    assert [(r.number, r.rank, r.points, r.veto) for r in year] == [
        (second.number, 1, 5, ""),
        (third.number, 2, 0, ""),
        (first.number, 0, 25, "违规建房"),
    ]
    month = selectors.household_ranking(village, "month", on)
    assert next((r.number, r.rank) for r in month) == (first.number, 1)  # not an assessment
    # Next year the veto no longer applies.
    assert all(
        not r.veto for r in selectors.household_ranking(village, "year", dt.date(2027, 1, 5))
    )
    c = Client()
    c.force_login(people["points_committee"])
    page = c.get(f"/points/v/{village.code}/?period=year&on=2026-03-02").content.decode()
    assert "一票否决：违规建房" in page
    api = c.get(f"/api/v1/points/villages/{village.code}/ranking?period=year&on=2026-03-02")
    assert api.json()[-1]["rank"] == 0 and api.json()[-1]["veto"] == "违规建房"
