"""The metrics' counters recomputed from the facts — the Matter and MatterEvent rows — without the
rollups: each counter as docs/matters.md "Metrics" defines it, counted directly per matter.

``matter_facts()`` lists, for every matter, what it contributes: (counter, day, lead unit, area
path) for the counters and (measure, day, unit, path, seconds) for the durations. Sums over them
for any area, unit and period are what the rollups must show.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.utils import timezone

from zhili.core.workdays import add_limit, add_workdays, workdays_between
from zhili.matters.duplicates import jaccard, tokenize
from zhili.matters.models import OPEN_STATUSES, Matter, MatterEvent

WINDOW = dt.timedelta(days=7)  # the defaults of ZHILI_DUPLICATE_* (docs/matters.md)
RADIUS_M = 200.0
SIMILARITY = 0.3


class Fact(NamedTuple):
    counter: str
    day: dt.date
    unit: int  # the lead unit the fact is counted for; 0: none
    path: str  # the matter's area path


class Duration(NamedTuple):
    measure: str
    day: dt.date
    unit: int
    path: str
    seconds: float


def _day(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def _codes(path: str) -> list[str]:
    return [c for c in path.split("/") if c]


def _metres(a: Matter, b: Matter) -> float | None:
    if None in (a.lat, a.lng, b.lat, b.lng):
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)  # type: ignore[arg-type]
    dp, dl = p2 - p1, math.radians(b.lng - a.lng)  # type: ignore[operator]
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def is_repeat(r: Matter, e: Matter, words: dict[int, set[str]]) -> bool:
    """R repeats E: recorded after it, same category, same street and place (grid, address or
    200 m), within 7 days, similar words."""
    if e.pk >= r.pk or e.category_id != r.category_id:
        return False
    if abs(r.created_at - e.created_at) > WINDOW:
        return False
    cr, ce = _codes(r.area_path), _codes(e.area_path)
    if cr[:3] != ce[:3]:
        return False
    metres = _metres(r, e)
    place = (
        cr[:5] == ce[:5]
        or bool(r.address and r.address == e.address)
        or (metres is not None and metres <= RADIUS_M)
    )
    if not place:
        return False
    for m in (r, e):
        if m.pk not in words:
            words[m.pk] = set(tokenize(f"{m.title}\n{m.description}"))
    return jaccard(words[r.pk], words[e.pk]) >= SIMILARITY


def _events_facts(m: Matter, events: list[MatterEvent]) -> tuple[list[Fact], list[Duration]]:
    """The event counters and durations of one matter, walking its events in order."""
    facts: list[Fact] = []
    durations: list[Duration] = []
    lead: int | None = None
    dispatches = 0
    sign_due: dt.datetime | None = None
    suspended_at: dt.datetime | None = None
    suspended = 0  # seconds suspended so far
    # The mode (四事四办) in force when each deadline was set, not the matter's current one: a
    # triage or mode change records the mode it replaced, so the first such event names the
    # mode the matter started with.
    changes = [e for e in events if e.action in ("triage", "mode") and (e.data or {}).get("mode")]
    mode = str((changes[0].data or {}).get("from_mode") or "") if changes else ""
    sign_limit = m.category.limit("sign", mode or m.handling_mode)
    contact_counted = False
    for e in events:
        a, at, data = e.action, e.at, e.data or {}
        if a in ("triage", "mode") and data.get("mode"):
            sign_limit = m.category.limit("sign", str(data["mode"]))
        if a == "dispatch":
            lead = int(data.get("unit") or e.unit_id)
            dispatches += 1
            sign_due = add_limit(at, *sign_limit)
        elif a == "reopen" and lead is not None:
            sign_due = add_limit(at, *sign_limit)
        elif a == "resume" and suspended_at is not None and sign_due is not None:
            # The clock stops while suspended: a limit in working days moves by the working
            # days the suspension covered, one in hours by the time (docs/matters.md).
            if sign_limit[1] == "wd":
                sign_due = add_workdays(sign_due, workdays_between(suspended_at, at))
            else:
                sign_due += at - suspended_at
        day, unit = _day(at), lead or 0
        elapsed = max(0.0, (at - m.created_at).total_seconds() - suspended)

        def add(counter: str, when: bool = True, day: dt.date = day, unit: int = unit) -> None:
            if when:
                facts.append(Fact(counter, day, unit, m.area_path))

        add("created", a == "submit")
        add(
            "accepted",
            e.from_status == "submitted" and e.to_status not in ("submitted", "rejected", "merged"),
        )
        add("rejected", a == "reject")
        add("dispatched", a == "dispatch" and dispatches == 1)
        add("redispatched", a == "dispatch" and dispatches > 1)
        add("returned", a == "return")
        add("signed", a == "sign")
        add("signed_on_time", a == "sign" and sign_due is not None and at <= sign_due)
        add("verified", a == "verify")
        add("reworked", a == "verify" and not data.get("passed"))
        closing = e.to_status == "closed" and e.from_status != "closed"
        add("closed", closing)
        add("extended", a == "approve_extension" and bool(data.get("approved")))
        add("suspended", a == "suspend")
        add("self_handled", a == "self_handle")
        add("spot_checked", a == "spot_check")
        add("spot_passed", a == "spot_check" and bool(data.get("passed")))
        add("rated", a == "rate")
        add("solved", a == "rate" and bool(data.get("solved")))
        add("satisfied", a == "rate" and bool(data.get("satisfied")))
        add("reopened", a == "reopen")
        add("merged", a == "merge")
        if a == "dispatch" and dispatches == 1:
            durations.append(Duration("dispatch", day, unit, m.area_path, elapsed))
        if closing:
            durations.append(Duration("close", day, unit, m.area_path, elapsed))
        first_contact = (
            not contact_counted
            and a in ("sign", "report")
            and m.contacted_at == at
            and m.first_dispatched_at is not None
            and m.contacted_at >= m.first_dispatched_at
        )
        if first_contact:
            contact_counted = True
            add("contacted")
            add("contacted_on_time", m.contact_due is not None and at <= m.contact_due)
            durations.append(Duration("contact", day, unit, m.area_path, elapsed))
        if a == "suspend":
            suspended_at = at
        elif a == "resume" and suspended_at is not None:
            suspended += int((at - suspended_at).total_seconds())
            suspended_at = None
    return facts, durations


def _cohort_facts(m: Matter, events: list[MatterEvent], repeat: bool) -> list[Fact]:
    """The cohorts of one matter, from its row as it is now."""
    out: list[Fact] = []
    unit, path = m.lead_unit_id or 0, m.area_path
    counted = m.status not in ("rejected", "merged")
    if m.handle_due is not None and counted:
        day = _day(m.handle_due)
        closed = m.status in ("closed", "rated")
        extended = any(
            e.action == "approve_extension" and (e.data or {}).get("approved") for e in events
        )
        for counter, when in (
            ("due", True),
            ("due_closed", closed),
            ("due_closed_on_time", closed and m.closed_at <= m.handle_due),  # type: ignore[operator]
            ("due_suspended", m.status == "suspended"),
            ("due_extended", extended),
        ):
            if when:
                out.append(Fact(counter, day, unit, path))
    if m.contact_due is not None and counted:
        day = _day(m.contact_due)
        for counter, when in (
            ("contact_due", True),
            ("contact_due_on_time", m.contacted_at is not None and m.contacted_at <= m.contact_due),
            ("contact_due_suspended", m.status == "suspended" and m.contacted_at is None),
        ):
            if when:
                out.append(Fact(counter, day, unit, path))
    if repeat or any(e.action == "merge" for e in events):
        out.append(Fact("repeated", _day(m.created_at), 0, path))
    return out


def matter_facts() -> tuple[list[Fact], list[Duration]]:
    matters = list(Matter.objects.select_related("category").order_by("pk"))
    events: dict[int, list[MatterEvent]] = defaultdict(list)
    for e in MatterEvent.objects.order_by("id"):
        events[e.matter_id].append(e)
    words: dict[int, set[str]] = {}
    facts: list[Fact] = []
    durations: list[Duration] = []
    for m in matters:
        f, d = _events_facts(m, events[m.pk])
        repeat = any(is_repeat(m, e, words) for e in matters if e.pk < m.pk)
        facts += f + _cohort_facts(m, events[m.pk], repeat)
        durations += d
    return facts, durations


def overdue(now: dt.datetime) -> list[Matter]:
    return list(Matter.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now))


class Scope(NamedTuple):
    """Which facts a figure sums: under ``path`` (exactly at it when ``exact``), for ``unit``
    (None: any, including none), between ``start`` and ``end``."""

    path: str
    unit: int | None
    start: dt.date
    end: dt.date
    exact: bool = False

    def has(self, day: dt.date, unit: int, path: str) -> bool:
        if not self.start <= day <= self.end:
            return False
        if self.unit is not None and unit != self.unit:
            return False
        return path == self.path if self.exact else path.startswith(self.path)


def counts(facts: Iterable[Fact], scope: Scope) -> Counter[str]:
    return Counter(f.counter for f in facts if scope.has(f.day, f.unit, f.path))


def durations(found: Iterable[Duration], scope: Scope) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for d in found:
        if scope.has(d.day, d.unit, d.path):
            out[d.measure].append(d.seconds)
    return out


def nearest_rank(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct * len(ordered) / 100)) - 1]


def matters_overdue(found: list[Matter], *, path: str = "", unit: int | None = None) -> int:
    return sum(
        1
        for m in found
        if m.area_path.startswith(path) and (unit is None or m.lead_unit_id == unit)
    )
