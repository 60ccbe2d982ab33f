"""Slides of the screens app itself: the centre's published notices, and today's duty roster with
the complaint line (no staff rating exists anywhere in the platform yet, so none is shown)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from zhili.screens.models import DutyShift, Notice, ServiceCentre
from zhili.screens.registry import Slide


def notices(centre: ServiceCentre, today: dt.date) -> list[Slide]:
    rows = Notice.objects.filter(centre=centre, published=True, show_from__lte=today).filter(
        Q(show_until__isnull=True) | Q(show_until__gte=today)
    )[:10]
    return [
        Slide(
            f"notice-{n.pk}",
            n.title,
            [p for p in n.body.splitlines() if p.strip()],
            footer=f"{centre.name} · {n.show_from:%Y-%m-%d}",
            seconds=20,
        )
        for n in rows
    ]


def duty(centre: ServiceCentre, today: dt.date) -> list[Slide]:
    shifts = DutyShift.objects.filter(centre=centre, day=today)
    rows = [["岗位", "值班人员"]] + [[s.post, s.person] for s in shifts]
    lines = [] if shifts else ["今日值班安排尚未公布"]
    lines.append(f"监督投诉电话：{centre.complaint_line}")
    if centre.hours:
        lines.append(f"办公时间：{centre.hours}")
    return [Slide("duty", f"今日值班 · {today:%m月%d日}", lines, rows if shifts else [],
                  footer=centre.name)]  # fmt: skip


SLIDES = [notices, duty]
