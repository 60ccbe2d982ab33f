"""Slides of the screens app itself: the centre's published notices, and today's duty roster with
each staff member's satisfaction rate (screens/ratings.py), the rating page's QR code and the
complaint line. Comments never appear on the screen."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from zhili.screens import ratings
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
    shifts = list(DutyShift.objects.filter(centre=centre, day=today))
    figures = ratings.figures({s.staff_id for s in shifts if s.staff_id})
    header = [gettext("岗位"), gettext("值班人员"),
              gettext("满意率（近 %(days)s 天）") % {"days": ratings.window_days()}]  # fmt: skip
    rows = [header] + [
        [s.post, s.person, figures[s.staff_id].text() if s.staff_id else "—"] for s in shifts
    ]
    lines = [] if shifts else [gettext("今日值班安排尚未公布")]
    if shifts:
        lines.append(gettext("满意率 = 非常满意、满意、基本满意的评价占比；欢迎扫码评价我们的服务"))
    lines.append(
        gettext("监督投诉电话：%(complaint_line)s") % {"complaint_line": centre.complaint_line}
    )
    if centre.hours:
        lines.append(gettext("办公时间：%(hours)s") % {"hours": centre.hours})
    return [Slide("duty", gettext("今日值班 · %(day)s") % {"day": date_format(today, gettext("m月d日"))}, lines, rows if shifts else [],
                  footer=centre.name, seconds=20,
                  link=reverse("screens:rate", args=[centre.rating_code]))]  # fmt: skip


SLIDES = [notices, duty]
