"""Kiosk slides of village self-governance (docs/screens.md): the 四议两公开 resolutions and
results and the 一事一议 notices in their publicity window for the centre's area — what
``publicity.current_publicity`` already shows on the public notices page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import dateformat
from django.utils.translation import gettext

from zhili.deliberation.publicity import current_publicity
from zhili.screens.registry import Slide


def publicity_slides(centre: Any, today: dt.date) -> list[Slide]:
    items = current_publicity(on=today, under=centre.area_path)
    return [
        Slide(
            key=f"deliberation.{i}",
            title=gettext("村（居）务公开 · %(kind)s") % {"kind": p.kind},
            lines=[p.title, *([p.text[:300]] if p.text else [])],
            footer=gettext("%(area)s · 公示期 %(start)s—%(end)s")
            % {
                "area": p.area,
                "start": dateformat.format(p.public_from, gettext("n月j日")),
                "end": dateformat.format(p.public_until, gettext("n月j日")),
            },
            seconds=20,
        )
        for i, p in enumerate(items[:6])
    ]


SLIDES = [publicity_slides]
