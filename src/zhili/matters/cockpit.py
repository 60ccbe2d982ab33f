"""Cockpit provider of matters (docs/cockpit.md): read from the rollups through
``metrics.matter_metrics``, the same function as the metrics page and API."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext, pgettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section, TrendSeries
from zhili.matters import metrics as m
from zhili.matters.rollups import MAX_DEPTH

RATES = ("close_rate", "on_time_close_rate", "satisfaction_rate")


def matters_section(q: CockpitQuery) -> Section | None:
    if q.area.depth > MAX_DEPTH:
        return None
    # The cockpit shows no medians: the duration histograms (the largest read) are left out.
    r = m.matter_metrics(q.user, area=q.area.code, start=q.start, end=q.end, durations=False)
    rows = {row["key"]: row for row in r.rows if row["key"]}
    figures = [
        Figure("matters.created", gettext("受理诉求"), r.counts["created"], unit=gettext("件"),
               children={c: row["counts"]["created"] for c, row in rows.items()}, map=True),
        Figure("matters.closed", pgettext("counter", "结案"), r.counts["closed"], unit=gettext("件"),
               children={c: row["counts"]["closed"] for c, row in rows.items()}),
    ]  # fmt: skip
    for key in RATES:
        measure = m.MEASURE_BY_KEY[key]
        figures.append(
            Figure(
                f"matters.{key}",
                str(measure.label),
                r.measures[key]["value"],
                kind="rate",
                children={c: row["measures"][key]["value"] for c, row in rows.items()},
                note=str(measure.definition),
                map=True,
            )
        )
    figures.append(
        Figure(
            "matters.overdue_open",
            gettext("超期未处置（积压）"),
            r.overdue,
            unit=gettext("件"),
            higher_is_better=False,
            children={c: row["overdue"] for c, row in rows.items()},
            note=gettext("当前仍在办且已过办结时限的诉求（实时）"),
            map=True,
        )
    )
    trends = [
        TrendSeries(gettext("受理"), [(t["day"].isoformat(), t["created"]) for t in r.trend]),
        TrendSeries(
            pgettext("counter", "结案"), [(t["day"].isoformat(), t["closed"]) for t in r.trend]
        ),
    ]
    query = urlencode({"area": q.area.code, "from": q.start, "to": q.end})
    return Section("matters", gettext("群众诉求"), figures, f"{reverse('matters:metrics')}?{query}", trends,
                   order=10)  # fmt: skip


PROVIDERS = [matters_section]
