"""The satisfaction rate of a centre's staff (满意率), as the screen and the centre's ratings page
show it: the share of 非常满意 + 满意 + 基本满意 among a staff member's ratings in the last
``screens.rating_window_days`` days; shown only from ``screens.rating_min_count`` ratings on, so
one angry (or one friendly) rating does not make the figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core import tunables
from zhili.screens.models import SATISFIED_FROM, StaffRating


@dataclass(frozen=True)
class Figure:
    """A staff member's ratings in the window: how many, how many satisfied."""

    count: int
    satisfied: int
    minimum: int

    @property
    def shown(self) -> bool:
        return self.count >= self.minimum and self.count > 0

    @property
    def percent(self) -> float | None:
        """Percent, 0–100, whatever the count (None without ratings): for the centre's page."""
        return 100.0 * self.satisfied / self.count if self.count else None

    @property
    def rate(self) -> float | None:
        """Percent, 0–100, as the screen shows it (None below the minimum count)."""
        return self.percent if self.shown else None

    def percent_text(self) -> str:
        return "—" if self.percent is None else f"{self.percent:.1f}%"

    def text(self) -> str:
        """ "96.0%（25 条）" for the screen, or why no rate is shown."""
        if self.rate is None:
            return gettext("评价不足 %(n)s 条") % {"n": self.minimum}
        return gettext("%(rate)s%%（%(count)s 条）") % {
            "rate": f"{self.rate:.1f}",
            "count": self.count,
        }


def window_days() -> int:
    return int(tunables.value("screens.rating_window_days"))


def min_count() -> int:
    return int(tunables.value("screens.rating_min_count"))


def window_start(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=window_days())


def figures(staff_ids: Iterable[int], *, now: dt.datetime | None = None) -> dict[int, Figure]:
    """Each staff member's figure (one grouped query over the (staff, at) index)."""
    ids = list(staff_ids)
    minimum = min_count()
    out = {pk: Figure(0, 0, minimum) for pk in ids}
    if not ids:
        return out
    rows = (
        StaffRating.objects.filter(staff_id__in=ids, at__gte=window_start(now))
        .values("staff_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(score__gte=SATISFIED_FROM)))
        .order_by()
    )
    for row in rows:
        out[row["staff_id"]] = Figure(row["n"], row["ok"], minimum)
    return out
