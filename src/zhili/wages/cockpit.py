"""Cockpit provider of wage arrears (docs/cockpit.md): the warnings still open now, red among
them, and those raised in the period (grouped counts over the warnings the user may see)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section, by_child
from zhili.core.scoping import has_any, path_prefix_q
from zhili.wages.models import Severity, Warning, WarningStatus

OPEN = (WarningStatus.OPEN, WarningStatus.ASSIGNED)


def wages_section(q: CockpitQuery) -> Section | None:
    if not has_any(q.user, Warning, "view"):
        return None
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(q.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(q.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    agg = {
        "open": Count("id", filter=Q(status__in=OPEN)),
        "red": Count("id", filter=Q(status__in=OPEN, severity=Severity.RED)),
        "raised": Count("id", filter=Q(raised_at__gte=start, raised_at__lt=end)),
    }
    qs = Warning.objects.visible_to(q.user)
    total = qs.filter(path_prefix_q("area_path", q.area.path)).aggregate(**agg)
    split = by_child(qs, "area_path", q, **agg)

    def kids(key: str) -> dict[str, int | float | None]:
        return {c: v[key] for c, v in split.items()}

    figures = [
        Figure("wages.open", gettext("未办结欠薪预警"), total["open"], unit=gettext("条"), higher_is_better=False,
               children=kids("open"), note=gettext("待处置和处置中的预警（实时）"), map=True),
        Figure("wages.red", gettext("其中红色预警"), total["red"], unit=gettext("条"), higher_is_better=False,
               children=kids("red"), map=True),
        Figure("wages.raised", gettext("期内新增预警"), total["raised"], unit=gettext("条"),
               higher_is_better=False, children=kids("raised")),
    ]  # fmt: skip
    return Section("wages", gettext("根治欠薪"), figures, reverse("wages:warnings"), order=50)


PROVIDERS = [wages_section]
