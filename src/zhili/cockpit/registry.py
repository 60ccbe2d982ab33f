"""The cockpit's registry of figure providers (docs/cockpit.md).

Any installed app may have a ``cockpit.py`` module with ``PROVIDERS``: a list of callables
``provider(q: CockpitQuery) -> Section | None``. The cockpit calls each in turn for the area and
period asked about; a provider reads its module's rollups or grouped aggregates (never one row per
case), through its own scoped selectors, for ``q.user``; it returns ``None`` when the user may not
see its module (the section is left out) and raises nothing for a user's lack of rights.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps

from zhili.areas.models import Area
from zhili.core.errors import NotFound, PermissionDenied

log = logging.getLogger("zhili.cockpit")


@dataclass(frozen=True)
class CockpitQuery:
    """What the cockpit asks a provider: ``user``'s figures for ``area`` (its whole subtree) over
    ``start``–``end`` (inclusive), with one value per area of ``children`` (the next level down;
    empty at the finest level) where the figure can be split."""

    user: Any
    area: Area
    start: dt.date
    end: dt.date
    children: tuple[Area, ...] = ()

    @property
    def child_codes(self) -> list[str]:
        return [a.code for a in self.children]


Number = int | float | None


@dataclass
class Figure:
    """One figure. ``kind``: "rate" (a share in 0..1), "count", "score" or "amount" (yuan).
    ``children``: child area code → value (those absent count as none/0 as the kind says).
    ``map``: whether the cockpit may colour the map by it."""

    key: str
    label: str
    value: Number
    kind: str = "count"
    unit: str = ""
    higher_is_better: bool = True
    children: dict[str, Number] = field(default_factory=dict)
    note: str = ""
    map: bool = False


@dataclass
class TrendSeries:
    """A series over time for the trend chart: ``points`` are (label, value) in order."""

    label: str
    points: list[tuple[str, Number]]


@dataclass
class Section:
    key: str  # the app label
    title: str
    figures: list[Figure]
    link: str = ""  # the module's own page for this area and period
    trends: list[TrendSeries] = field(default_factory=list)
    order: int = 100


Provider = Callable[[CockpitQuery], "Section | None"]


def providers() -> list[Provider]:
    """Every installed app's ``cockpit.PROVIDERS``, in INSTALLED_APPS order."""
    found: list[Provider] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.cockpit"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        found.extend(getattr(module, "PROVIDERS", []))
    return found


@dataclass
class Collected:
    sections: list[Section]
    timings: dict[str, float]  # provider name → milliseconds


def collect(q: CockpitQuery, only: set[str] | None = None) -> Collected:
    sections, timings = [], {}
    for provider in providers():
        t0 = time.perf_counter()
        try:
            section = provider(q)
        except (PermissionDenied, NotFound):
            section = None  # the user may not see this module here
        timings[f"{provider.__module__}.{provider.__name__}"] = (time.perf_counter() - t0) * 1000
        if section is not None and (only is None or section.key in only):
            sections.append(section)
    sections.sort(key=lambda s: s.order)
    return Collected(sections, timings)


def by_child(qs: Any, field: str, q: CockpitQuery, **aggregates: Any) -> dict[str, dict[str, Any]]:
    """Grouped aggregates of ``qs`` per child area of ``q.area`` (child code → {name: value}),
    one grouped query per path length of the children (one in practice): rows are grouped by the
    prefix of ``field`` (a path) that is the child's path."""
    from django.db.models.functions import Left

    from zhili.core.scoping import path_prefix_q

    out: dict[str, dict[str, Any]] = {}
    by_len: dict[int, dict[str, str]] = {}
    for a in q.children:
        by_len.setdefault(len(a.path), {})[a.path] = a.code
    for length, paths in by_len.items():
        rows = (
            qs.filter(path_prefix_q(field, q.area.path))
            .annotate(_child=Left(field, length))
            .values("_child")
            .annotate(**aggregates)
            .order_by()
        )
        for r in rows:
            code = paths.get(r.pop("_child"))
            if code is not None:
                out[code] = r
    return out
