"""Slides of the screens app itself: the centre's published notices, and today's duty roster with
the complaint line (no staff rating exists anywhere in the platform yet, so none is shown)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext

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
    rows = [[gettext("岗位"), gettext("值班人员")]] + [[s.post, s.person] for s in shifts]
    lines = [] if shifts else [gettext("今日值班安排尚未公布")]
    lines.append(
        gettext("监督投诉电话：%(complaint_line)s") % {"complaint_line": centre.complaint_line}
    )
    if centre.hours:
        lines.append(gettext("办公时间：%(hours)s") % {"hours": centre.hours})
    return [Slide("duty", gettext("今日值班 · %(day)s") % {"day": date_format(today, gettext("m月d日"))}, lines, rows if shifts else [],
                  footer=centre.name)]  # fmt: skip


SLIDES = [notices, duty]
