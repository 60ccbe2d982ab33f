"""Kiosk slide of the points bank (docs/screens.md): this month's household ranking of the
centre's community, only if the village publishes it, names masked as it chose — the same rows
as the public board (``selectors.public_board``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext

from zhili.core.errors import NotFound
from zhili.points import selectors
from zhili.screens.registry import Slide


def ranking_slides(centre: Any, today: dt.date) -> list[Slide]:
    code = centre.area_path.strip("/").split("/")[-1]
    try:
        village, rows, _masked = selectors.public_board(code, "month", today)
    except NotFound:  # not a community, or it publishes no ranking
        return []
    if not rows:
        return []
    table = [[gettext("名次"), gettext("户号"), gettext("户主"), gettext("本月积分")]] + [
        [str(r.rank), r.number, r.name, str(r.points)] for r in rows[:10]
    ]
    return [
        Slide(
            key="points.ranking",
            title=gettext("%(name)s · 本月积分排名") % {"name": village.name},
            rows=table,
            footer=gettext("积分可在村（社区）积分超市兑换"),
            seconds=20,
        )
    ]


SLIDES = [ranking_slides]
