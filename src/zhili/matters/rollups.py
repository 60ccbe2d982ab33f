"""Rollups of the measures of matters, maintained from the events in the event's own transaction.

Every service calls ``record(matter, event)`` after appending an event. ``apply_event`` works out
what the event changes — counters on the event's day, a duration for the histograms, and the
matter's place in its cohorts: 应结 (the day its handling deadline falls), 应联系 (the day its
contact deadline falls) and 受理 (the day it was received, where it counts as a repeat) — and
``add_repeats`` counts the new matters that repeat an earlier report
(``duplicates.repeated_ids``). ``flush`` adds the differences with
one atomic upsert per table (``INSERT … ON CONFLICT … DO UPDATE SET c = t.c + excluded.c``, which
SQLite and PostgreSQL both run). Each change is written once for every level of the matter's area
(区县, 街道, 社区, 网格), so a dashboard reads a few rows per day and never groups the matters.

``rebuild()`` (``zhili rebuild_rollups``) replays every matter's events through the same
``apply_event`` and writes the tables from scratch; the replay re-derives the deadlines each event
saw (see ``Replay``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from zhili.core.workdays import add_workdays
from zhili.matters.deadlines import stage_due
from zhili.matters.models import (
    ROLLUP_COUNTERS,
    Category,
    Matter,
    MatterAreaAll,
    MatterAreaDay,
    MatterDuration,
    MatterDurationAll,
    MatterEvent,
    MatterRollupState,
    MatterUnitDay,
    Status,
)

MAX_DEPTH = 4  # rows for the matter's district (1), street (2), community (3) and grid (4)
DURATIONS = ("dispatch", "contact", "close")
CLOSED_STATUSES = (Status.CLOSED, Status.RATED)
NOT_ACCEPTED = (Status.SUBMITTED, Status.REJECTED, Status.MERGED)

# Duration buckets: bucket 0 is under a minute; bucket b ≥ 1 is [60·2^((b-1)/4), 60·2^(b/4)) s,
# four buckets per doubling, so an estimate inside a bucket is within ±9 % of the true value.
BUCKET_BASE = 60.0
BUCKETS_PER_DOUBLING = 4


def bucket_bounds(b: int) -> tuple[float, float]:
    if b <= 0:
        return 0.0, BUCKET_BASE
    return (
        BUCKET_BASE * 2 ** ((b - 1) / BUCKETS_PER_DOUBLING),
        BUCKET_BASE * 2 ** (b / BUCKETS_PER_DOUBLING),
    )


def bucket_of(seconds: float) -> int:
    if seconds < BUCKET_BASE:
        return 0
    b = 1 + math.floor(math.log2(seconds / BUCKET_BASE) * BUCKETS_PER_DOUBLING)
    while b > 1 and bucket_bounds(b)[0] > seconds:  # guard the float rounding at the edges
        b -= 1
    while bucket_bounds(b)[1] <= seconds:
        b += 1
    return b


def local_day(at: dt.datetime) -> dt.date:
    """The city's date of ``at`` (the project's time zone, whatever a request activated: a
    rollup day is the city's day; ``timezone.localdate`` looks the zone up on every call)."""
    return at.astimezone(timezone.get_default_timezone()).date()


class Counts(dict[str, int]):
    """One row's counter changes; a counter not changed reads 0 (``Counter``'s lookup, without
    its constructor's and ``update``'s type checks on the rollups' hottest path)."""

    def __missing__(self, key: str) -> int:
        return 0


def _bump(target: dict[str, int], counts: Mapping[str, int], sign: int = 1) -> None:
    """``target += counts`` (× ``sign``): ``Counter.update`` without its per-call type checks,
    on the rollups' hottest path."""
    get = target.get
    if sign == 1:
        for k, v in counts.items():
            target[k] = get(k, 0) + v
    else:
        for k, v in counts.items():
            target[k] = get(k, 0) + sign * v


@functools.lru_cache(maxsize=65536)
def level_paths(area_path: str) -> tuple[tuple[str, int], ...]:
    """The matter's area at each counted level: ((path, depth), …) for 区县 … 网格."""
    codes = [c for c in area_path.split("/") if c]
    return tuple(
        ("/".join(codes[: d + 1]) + "/", d) for d in range(1, min(len(codes), MAX_DEPTH + 1))
    )


@dataclass
class State:
    """What the rollups have counted for one matter (stored in MatterRollupState)."""

    due_day: dt.date | None = None
    due_unit_id: int = 0
    due_closed: bool = False
    due_closed_on_time: bool = False
    due_suspended: bool = False
    due_extended: bool = False
    contact_day: dt.date | None = None
    contact_unit_id: int = 0
    contact_on_time: bool = False
    contact_suspended: bool = False
    contacted: bool = False
    repeated: bool = False
    suspended_since: dt.datetime | None = None
    suspended_seconds: int = 0


STATE_FIELDS = tuple(f.name for f in fields(State))
Dims = tuple[str, str]  # the matter's 三事分流 and 四事四办 (its current ones)
AreaKey = tuple[str, dt.date, int, int, str, str]  # path, day, category, depth, triage, mode
UnitKey = tuple[int, str, dt.date, int, int, str, str]  # unit, path, day, category, depth, …
DurationKey = tuple[
    str, dt.date, int, int, str, int, int, str, str
]  # path, day, unit, cat, measure, b, depth, triage, mode
AllKey = tuple[str, dt.date, int]  # path, day, depth: summed over category, 三事 and 四事
DurationAllKey = tuple[str, dt.date, int, str, int, int]  # path, day, unit, measure, b, depth


def dims_of(m: Any) -> Dims:
    """What the rows of ``m`` are keyed on besides place, day and category: the matter's current
    三事分流 and 四事四办 (a ``Replay`` carries the keys it replays under: ``key_dims``)."""
    keyed = getattr(m, "key_dims", None)
    return keyed if keyed is not None else (m.triage or "", m.handling_mode or "")


class Deltas:
    """Counter changes to add, keyed like the rollup tables' rows."""

    def __init__(self) -> None:
        self.area: dict[AreaKey, Counts] = defaultdict(Counts)
        self.unit: dict[UnitKey, Counts] = defaultdict(Counts)
        self.durations: Counter[DurationKey] = Counter()
        # The same changes summed over category, 三事 and 四事 (MatterAreaAll, MatterDurationAll).
        self.area_all: dict[AllKey, Counts] = defaultdict(Counts)
        self.durations_all: Counter[DurationAllKey] = Counter()

    def count(self, m: Any, day: dt.date, unit_id: int, counts: dict[str, int]) -> None:
        counts = {k: v for k, v in counts.items() if v}  # most of an event's counters are 0
        if not counts:
            return
        triage, mode = dims_of(m)
        cat = m.category_id
        area, area_all, unit = self.area, self.area_all, self.unit
        for path, depth in level_paths(m.area_path):
            _bump(area[(path, day, cat, depth, triage, mode)], counts)
            _bump(area_all[(path, day, depth)], counts)
            if unit_id:
                _bump(unit[(unit_id, path, day, cat, depth, triage, mode)], counts)

    def rekeyed(self, dims: Dims) -> Deltas:
        """The same changes under other 三事/四事 keys (moving a matter's counts; the sums over
        every key are the same changes)."""
        out = Deltas()
        out.add_all(self)
        for (path, day, cat, depth, _t, _m), c in self.area.items():
            _bump(out.area[(path, day, cat, depth, *dims)], c)
        for (unit, path, day, cat, depth, _t, _m), c in self.unit.items():
            _bump(out.unit[(unit, path, day, cat, depth, *dims)], c)
        for (path, day, u, cat, measure, b, depth, _t, _m), n in self.durations.items():
            out.durations[(path, day, u, cat, measure, b, depth, *dims)] += n
        return out

    def add(self, other: Deltas, sign: int = 1) -> None:
        """Add ``other`` (times ``sign``) to these changes."""
        for key, counts in other.area.items():
            _bump(self.area[key], counts, sign)
        for ukey, counts in other.unit.items():
            _bump(self.unit[ukey], counts, sign)
        for dkey, n in other.durations.items():
            self.durations[dkey] += sign * n
        self.add_all(other, sign)

    def add_all(self, other: Deltas, sign: int = 1) -> None:
        """Add only the sums over category, 三事 and 四事 of ``other``."""
        for akey, counts in other.area_all.items():
            _bump(self.area_all[akey], counts, sign)
        for dakey, n in other.durations_all.items():
            self.durations_all[dakey] += sign * n

    def duration(self, m: Any, day: dt.date, unit_id: int, measure: str, seconds: float) -> None:
        b = bucket_of(seconds)
        triage, mode = dims_of(m)
        for path, depth in level_paths(m.area_path):
            for u in {0, unit_id}:
                self.durations[(path, day, u, m.category_id, measure, b, depth, triage, mode)] += 1
                self.durations_all[(path, day, u, measure, b, depth)] += 1


def _elapsed(m: Any, s: State, at: dt.datetime) -> float:
    """Time from 受理 to ``at``, without the time the matter spent suspended (the clock stopped)."""
    return max(0.0, (at - m.created_at).total_seconds() - s.suspended_seconds)


# Events that add 1 to a counter of the same meaning whatever else they carry.
_ACTION_COUNTER = {
    "submit": "created",
    "reject": "rejected",
    "merge": "merged",
    "return": "returned",
    "suspend": "suspended",
    "self_handle": "self_handled",
    "reopen": "reopened",
}


def apply_event(d: Deltas, m: Any, e: Any, state: State) -> State:
    """Add what event ``e`` changes to ``d``. ``m`` is the matter as it is right after ``e``."""
    s = replace(state)
    day = local_day(e.at)
    unit = m.lead_unit_id or 0
    data = e.data or {}
    a, before, after = e.action, e.from_status, e.to_status
    c: dict[str, int] = {}  # the counters this event adds 1 to (most of them are 0)
    if a in _ACTION_COUNTER:  # created, rejected, merged, returned, suspended, …
        c[_ACTION_COUNTER[a]] = 1
    if before == Status.SUBMITTED and after not in NOT_ACCEPTED:
        c["accepted"] = 1
    if a == "dispatch":
        if m.dispatch_count <= 1:
            c["dispatched"] = 1
            d.duration(m, day, unit, "dispatch", _elapsed(m, s, e.at))
        else:
            c["redispatched"] = 1
    if a == "sign":
        c["signed"] = 1
        if m.sign_due is None or e.at <= m.sign_due:
            c["signed_on_time"] = 1
    if not s.contacted and m.contacted_at is not None:
        s.contacted = True
        if m.contact_due is not None:  # a dispatched matter: the loop's first contact
            c["contacted"] = 1
            if m.contacted_at <= m.contact_due:
                c["contacted_on_time"] = 1
            d.duration(m, day, unit, "contact", _elapsed(m, s, m.contacted_at))
    if after == Status.CLOSED and before != Status.CLOSED:
        c["closed"] = 1
        d.duration(m, day, unit, "close", _elapsed(m, s, e.at))
    if a == "verify":
        c["verified"] = 1
        if not data.get("passed"):
            c["reworked"] = 1
    if a == "approve_extension" and data.get("approved"):
        c["extended"] = 1
    if a == "spot_check":  # 抽查核实 of a self-handled matter (no lead unit: area rows)
        c["spot_checked"] = 1
        if data.get("passed"):
            c["spot_passed"] = 1
    if a == "rate":
        c["rated"] = 1
        if data.get("solved"):
            c["solved"] = 1
        if data.get("satisfied"):
            c["satisfied"] = 1
    if a == "suspend":
        s.suspended_since = e.at
    if a == "resume" and s.suspended_since is not None:
        s.suspended_seconds += int((e.at - s.suspended_since).total_seconds())
        s.suspended_since = None
    d.count(m, day, unit, c)
    if a == "merge":  # an officer's word that it repeats another report
        _count_repeat(d, m, s)
    _cohorts(d, m, s)
    return s


def _count_repeat(d: Deltas, m: Any, s: State) -> None:
    """Count ``m`` once as a repeat, on the day it was received (the 受理 cohort; no unit)."""
    if not s.repeated:
        s.repeated = True
        d.count(m, local_day(m.created_at), 0, {"repeated": 1})


def add_repeats(
    d: Deltas, matters: Sequence[Any], states: Mapping[int, State], found: set[int] | None = None
) -> None:
    """Count the ``matters`` (saved) that repeat a report recorded before them and are not
    counted yet; ``states`` (by matter id) are marked. ``found``: the ids among ``matters`` that
    repeat, when the caller has decided it (``duplicates.RecentReports``); else one query per 50
    groups (``duplicates.repeated_ids``)."""
    todo = [m for m in matters if not states[m.pk].repeated]
    if todo:
        if found is None:
            from zhili.matters.duplicates import repeated_ids

            found = repeated_ids(todo)
        for m in todo:
            if m.pk in found:
                _count_repeat(d, m, states[m.pk])


@transaction.atomic
def add_missed_repeats(matters: Sequence[Any], found: set[int] | None = None) -> int:
    """Count the saved ``matters`` that repeat an earlier report but are not counted as repeats
    (their rollup state says so), as ``add_repeats`` would have when each was recorded: for a bulk
    writer that could not see every earlier report then (the bench's day shards, written by
    processes side by side). Counted under each matter's place and 三事/四事 now, where the
    services' moves (``relocate``, ``reattribute``) would have taken the count. ``found``: as for
    ``add_repeats``. Returns how many."""
    ids = [m.pk for m in matters]
    uncounted = set(
        MatterRollupState.objects.filter(matter_id__in=ids, repeated=False).values_list(
            "matter_id", flat=True
        )
    )
    states = {m.pk: State(repeated=m.pk not in uncounted) for m in matters}
    d = Deltas()
    add_repeats(d, matters, states, found)
    counted = [pk for pk in uncounted if states[pk].repeated]
    if counted:
        flush(d)
        MatterRollupState.objects.filter(matter_id__in=counted).update(repeated=True)
    return len(counted)


Cohort = tuple[dt.date, int, tuple[bool, ...]]  # day, lead unit, flags


def _due_cohort(m: Any) -> Cohort | None:
    """应结: a matter with a handling deadline (dispatched), not rejected or merged, on the
    deadline's day, for its current lead unit: (closed, closed on time, suspended, extended)."""
    if m.handle_due is None or m.status in (Status.REJECTED, Status.MERGED):
        return None
    closed = m.status in CLOSED_STATUSES
    on_time = closed and m.closed_at is not None and m.closed_at <= m.handle_due
    extended = (m.extension_count or 0) > 0
    flags = (closed, on_time, m.status == Status.SUSPENDED, extended)
    return local_day(m.handle_due), m.lead_unit_id or 0, flags


def _contact_cohort(m: Any) -> Cohort | None:
    """应联系: a matter with a contact deadline (dispatched), not rejected or merged, on the
    deadline's day, for its current lead unit: (first contact on time, suspended uncontacted)."""
    if m.contact_due is None or m.status in (Status.REJECTED, Status.MERGED):
        return None
    on_time = m.contacted_at is not None and m.contacted_at <= m.contact_due
    suspended = m.status == Status.SUSPENDED and m.contacted_at is None
    return local_day(m.contact_due), m.lead_unit_id or 0, (on_time, suspended)


DUE_COUNTERS = ("due_closed", "due_closed_on_time", "due_suspended", "due_extended")
CONTACT_COUNTERS = ("contact_due_on_time", "contact_due_suspended")


def _move(d: Deltas, m: Any, total: str, names: tuple[str, ...], old: Any, new: Any) -> None:
    """Take the matter out of its old cohort row and into the new one (when they differ)."""
    if new == old:
        return
    for entry, sign in ((old, -1), (new, 1)):
        if entry is not None:
            day, unit, flags = entry
            counts = {total: sign, **{k: sign * int(f) for k, f in zip(names, flags, strict=True)}}
            d.count(m, day, unit, counts)


def _cohorts(d: Deltas, m: Any, s: State) -> None:
    """Keep the matter counted once in each cohort: 应结 on the day its handling deadline falls,
    应联系 on the day its contact deadline falls, for its current lead unit."""
    new_due, old_due = _due_cohort(m), None
    if s.due_day is not None:
        flags = (s.due_closed, s.due_closed_on_time, s.due_suspended, s.due_extended)
        old_due = (s.due_day, s.due_unit_id, flags)
    _move(d, m, "due", DUE_COUNTERS, old_due, new_due)
    s.due_day, s.due_unit_id = (new_due[0], new_due[1]) if new_due else (None, 0)
    s.due_closed, s.due_closed_on_time, s.due_suspended, s.due_extended = (
        new_due[2] if new_due else (False,) * 4
    )
    new_contact, old_contact = _contact_cohort(m), None
    if s.contact_day is not None:
        old_contact = (s.contact_day, s.contact_unit_id, (s.contact_on_time, s.contact_suspended))
    _move(d, m, "contact_due", CONTACT_COUNTERS, old_contact, new_contact)
    s.contact_day, s.contact_unit_id = (
        (new_contact[0], new_contact[1]) if new_contact else (None, 0)
    )
    s.contact_on_time, s.contact_suspended = new_contact[2] if new_contact else (False, False)


# Writing -----------------------------------------------------------------------------------------


BULK_ROWS = 500  # from this many rows on, one statement per row would be parsed too often


def additive_upsert(
    model: type[models.Model], conflict: Iterable[str], counters: Iterable[str]
) -> str:
    """The tail that makes an INSERT into a rollup table add its counters to the row already
    there (``ON CONFLICT (key) DO UPDATE SET c = table.c + excluded.c``)."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    return f"ON CONFLICT ({', '.join(q(c) for c in conflict)}) DO UPDATE SET " + ", ".join(
        f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in counters
    )


class Writes:
    """The rollup upserts of one flush. Few rows (a live event) become multi-row ``INSERT … ON
    CONFLICT`` statements, which PostgreSQL runs as one statement (each a data-modifying WITH of
    it: one round trip instead of one per table, and the same table order for every writer) and
    SQLite one after the other. Many rows (a rebuild, a bulk load) are written at once: PostgreSQL
    COPYs them into a temporary table and adds them with one INSERT … SELECT, SQLite runs one
    prepared single-row statement for each."""

    def __init__(self) -> None:
        self.small: list[tuple[str, list[Any]]] = []

    def add(
        self,
        model: type[models.Model],
        columns: list[str],
        conflict: list[str],
        counters: Iterable[str],
        rows: list[tuple[Any, ...]],
    ) -> None:
        """Add ``rows`` (key values then counter values, in ``columns`` order) to ``model``'s
        table."""
        if not rows:
            return
        q = connection.ops.quote_name
        table = q(model._meta.db_table)
        cols = ", ".join(q(c) for c in columns)
        tail = " " + additive_upsert(model, conflict, counters)
        rows.sort(key=lambda r: r[: len(conflict) + 1])  # one lock order for every writer
        if len(rows) < BULK_ROWS and connection.vendor == "postgresql":
            self.small.append((_unnest_insert(model, tuple(columns)) + tail, _by_column(rows)))
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        if len(rows) < BULK_ROWS:
            step = max(1, 900 // len(columns))
            for i in range(0, len(rows), step):
                chunk = rows[i : i + step]
                sql = f"INSERT INTO {table} ({cols}) VALUES " + ", ".join([one] * len(chunk))
                self.small.append((sql + tail, [v for r in chunk for v in r]))
            return
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES {one}" + tail, rows)
                return
            temp = q(f"tmp_{model._meta.db_table}")
            cursor.execute(f"CREATE TEMP TABLE {temp} AS SELECT {cols} FROM {table} WITH NO DATA")
            try:
                with cursor.cursor.copy(f"COPY {temp} ({cols}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(r)
                order = ", ".join(q(c) for c in conflict)
                cursor.execute(
                    f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {temp} ORDER BY {order}"
                    + tail
                )
            finally:
                cursor.execute(f"DROP TABLE {temp}")

    def state(self, matter_id: int, values: dict[str, Any], *, new: bool) -> None:
        """Insert (``new``) or update the matter's ``MatterRollupState`` row with the rest."""
        meta, q = MatterRollupState._meta, connection.ops.quote_name
        names = list(values)
        fields: list[Any] = [meta.get_field(name) for name in names]  # a name or an attname
        params = [
            f.get_db_prep_save(values[n], connection) for n, f in zip(names, fields, strict=True)
        ]
        table, key = q(meta.db_table), q(meta.get_field("matter").column)  # type: ignore[union-attr,arg-type]
        if new:
            cols = ", ".join([key, *(q(f.column) for f in fields)])
            marks = ", ".join(["%s"] * (len(fields) + 1))
            self.small.append(
                (f"INSERT INTO {table} ({cols}) VALUES ({marks})", [matter_id, *params])
            )
        else:
            sets = ", ".join(f"{q(f.column)} = %s" for f in fields)
            self.small.append((f"UPDATE {table} SET {sets} WHERE {key} = %s", [*params, matter_id]))

    def run(self) -> None:
        small, self.small = self.small, []
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                for sql, p in small:
                    cursor.execute(sql, p)
                return
            for group in _groups(small, MAX_PARAMS):
                if len(group) == 1:
                    cursor.execute(*group[0])
                    continue
                cursor.execute(*one_statement(group))


@functools.cache
def _unnest_insert(model: type[models.Model], columns: tuple[str, ...]) -> str:
    """``INSERT INTO table (cols) SELECT … FROM unnest(array per column)`` in the rows' order
    (PostgreSQL): one statement text whatever the number of rows, so psycopg splits it once and
    the server prepares it, where a VALUES list had a text (and a plan) per number of rows and
    hundreds of parameters to bind."""
    q = connection.ops.quote_name
    # The element type without its length (varchar, not varchar(255)): an explicit cast to a
    # length cuts a longer value short without a word, where the insert into the column refuses it.
    types = [model._meta.get_field(c).db_type(connection) or "" for c in columns]  # or attnames
    arrays = ", ".join(f"%s::{re.sub(r'[(].*[)]', '', t)}[]" for t in types)
    names = ", ".join(f"c{i}" for i in range(len(columns)))
    cols = ", ".join(q(c) for c in columns)
    return (
        f"INSERT INTO {q(model._meta.db_table)} ({cols}) SELECT {names} FROM "
        f"unnest({arrays}) WITH ORDINALITY AS u({names}, o) ORDER BY o"
    )


def _by_column(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
    """The rows as one list per column (the arrays ``_unnest_insert`` takes)."""
    return [list(column) for column in zip(*rows, strict=True)]


def one_statement(statements: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
    """Several writes as one PostgreSQL statement: each a data-modifying WITH of it (all run,
    in one round trip)."""
    parts = [f"w{i} AS ({sql})" for i, (sql, _p) in enumerate(statements)]
    return "WITH " + ", ".join(parts) + " SELECT 1", [v for _sql, p in statements for v in p]


MAX_PARAMS = 30_000  # per combined statement (PostgreSQL binds at most 65,535 on the server)


def _groups(
    statements: list[tuple[str, list[Any]]], limit: int
) -> Iterator[list[tuple[str, list[Any]]]]:
    """The statements in order, in runs of at most ``limit`` parameters (a statement alone may
    have more)."""
    group: list[tuple[str, list[Any]]] = []
    size = 0
    for statement in statements:
        if group and size + len(statement[1]) > limit:
            yield group
            group, size = [], 0
        group.append(statement)
        size += len(statement[1])
    if group:
        yield group


_COUNTERS_OF = operator.itemgetter(*ROLLUP_COUNTERS)  # Counts reads a missing counter as 0


def flush(d: Deltas, writes: Writes | None = None) -> None:
    """Write the deltas ``d`` (with what ``writes`` already holds: the matter's state row)."""
    day = connection.ops.adapt_datefield_value
    writes = writes or Writes()
    counters = _COUNTERS_OF  # a row's counters in ROLLUP_COUNTERS order, as one tuple
    area_rows = [
        (path, day(dd), cat, triage, mode, depth, *counters(c))
        for (path, dd, cat, depth, triage, mode), c in d.area.items()
        if any(c.values())
    ]
    dims = ["triage", "handling_mode"]
    writes.add(
        MatterAreaDay,
        ["area_path", "day", "category_id", *dims, "depth", *ROLLUP_COUNTERS],
        ["area_path", "day", "category_id", *dims],
        COUNTERS[MatterAreaDay],
        area_rows,
    )
    unit_rows = [
        (unit, path, day(dd), cat, triage, mode, depth, *counters(c))
        for (unit, path, dd, cat, depth, triage, mode), c in d.unit.items()
        if any(c.values())
    ]
    writes.add(
        MatterUnitDay,
        ["unit_id", "area_path", "day", "category_id", *dims, "depth", *ROLLUP_COUNTERS],
        ["unit_id", "area_path", "day", "category_id", *dims],
        COUNTERS[MatterUnitDay],
        unit_rows,
    )
    duration_rows = [
        (path, day(dd), unit, cat, measure, b, triage, mode, depth, n)
        for (path, dd, unit, cat, measure, b, depth, triage, mode), n in d.durations.items()
        if n
    ]
    key = ["area_path", "day", "unit_id", "category_id", "measure", "bucket", *dims]
    writes.add(MatterDuration, [*key, "depth", "n"], key, COUNTERS[MatterDuration], duration_rows)
    all_rows = [
        (path, day(dd), depth, *counters(c))
        for (path, dd, depth), c in d.area_all.items()
        if any(c.values())
    ]
    writes.add(
        MatterAreaAll,
        ["area_path", "day", "depth", *ROLLUP_COUNTERS],
        ["area_path", "day"],
        COUNTERS[MatterAreaAll],
        all_rows,
    )
    duration_all_rows = [
        (path, day(dd), unit, measure, b, depth, n)
        for (path, dd, unit, measure, b, depth), n in d.durations_all.items()
        if n
    ]
    key = ["area_path", "day", "unit_id", "measure", "bucket"]
    writes.add(
        MatterDurationAll, [*key, "depth", "n"], key, COUNTERS[MatterDurationAll], duration_all_rows
    )
    writes.run()


def record(matter: Any, event: Any) -> None:
    """Update the rollups that ``event`` changes (called inside the event's transaction)."""
    if event.action == "place":  # 定位: the matter's counts so far move to its new place
        relocate(matter, str((event.data or {}).get("from") or ""))
    if event.action in ("triage", "mode"):  # 三事/四事 changed: its counts move with it
        reattribute(matter, event)
    row = None
    if event.action != "submit":
        row = MatterRollupState.objects.filter(matter_id=matter.pk).values(*STATE_FIELDS).first()
    state = State(**row) if row else State()
    d = Deltas()
    new = apply_event(d, matter, event, state)
    if event.action == "submit":
        add_repeats(d, [matter], {matter.pk: new})
    writes = Writes()
    if row is None or new != state:  # in the rollups' statement (one round trip on PostgreSQL)
        writes.state(matter.pk, asdict(new), new=row is None)
    flush(d, writes)


def _prior_replay(matter: Matter, before: Any = None, skip: str = "") -> tuple[Deltas, Replay]:
    """The counts the matter's events so far made (those before ``before``, not ``skip``
    events), replayed at its current place and keyed on its current 三事/四事."""
    category = Category.objects.only("id", "limits", "handling_mode").get(pk=matter.category_id)
    found = MatterEvent.objects.filter(matter_id=matter.pk)
    if skip:
        found = found.exclude(action=skip)
    every = list(found.only(*REPLAY_EVENT_FIELDS).order_by("id"))
    events = [e for e in every if before is None or e.pk < before.pk]
    row = MatterRollupState.objects.filter(matter_id=matter.pk).values("repeated").first()
    d, state = Deltas(), State()
    replay = Replay(matter, category, every)  # the mode it started with, from every event
    for e in events:
        replay.step(e)
        state = apply_event(d, replay, e, state)
    if row and row["repeated"] and not state.repeated:  # counted by the repeat test
        _count_repeat(d, replay, state)
    return d, replay


def reattribute(matter: Matter, event: Any) -> None:
    """A triage or a mode change: every count the matter's earlier events made moves from the
    rows of its former 三事分流/四事四办 to those of its new ones (the earlier events replayed once
    and counted under both keys, -1 and +1, so the totals never change and the rollups stay what
    ``rebuild`` writes: it keys every event on the matter's current 三事/四事)."""
    part, replay = _prior_replay(matter, before=event)
    old, new = (replay.triage or "", replay.handling_mode or ""), dims_of(matter)
    if old == new:
        return
    d = Deltas()
    d.add(part.rekeyed(old), -1)
    d.add(part.rekeyed(new), 1)
    flush(d)


def relocate(matter: Matter, old_path: str) -> None:
    """Move every count the matter's earlier events made from ``old_path``'s rows to its current
    area's: the events are replayed once at each place and the first replay is subtracted, so the
    rollups stay what ``rebuild`` (which replays at the current place) would write."""
    if not old_path or old_path == matter.area_path:
        return
    category = Category.objects.only("id", "limits", "handling_mode").get(pk=matter.category_id)
    events = list(
        MatterEvent.objects.filter(matter_id=matter.pk)
        .exclude(action="place")
        .only(*REPLAY_EVENT_FIELDS)
        .order_by("id")
    )
    row = MatterRollupState.objects.filter(matter_id=matter.pk).values("repeated").first()
    d = Deltas()
    for path, sign in ((old_path, -1), (matter.area_path, 1)):
        part, state = Deltas(), State()
        replay = Replay(matter, category, events)
        replay.area_path = path
        for e in events:
            replay.step(e)
            state = apply_event(part, replay, e, state)
        if row and row["repeated"] and not state.repeated:  # counted by the repeat test
            _count_repeat(part, replay, state)
        d.add(part, sign)
    flush(d)


# Rebuilding from the events ----------------------------------------------------------------------


def initial_mode(matter: Any, category: Any, events: Sequence[Any]) -> str:
    """The 四事四办 mode a matter was received with: its own, unless an event changed it (then
    the mode that first change started from, recorded as ``from_mode``; else the category's)."""
    for e in events:
        data = e.data or {}
        if e.action in ("triage", "mode") and data.get("mode"):
            if data["mode"] == data.get("from_mode"):
                continue
            return str(data.get("from_mode") or category.handling_mode)
    return str(matter.handling_mode)


class Replay:
    """A matter as the services left it after each event, re-derived from the event rows.

    Mirrors matters.steps: dispatch sets the sign/contact/handle deadlines, reopen renews sign and
    handle, an approved extension adds working days, resume shifts every pending deadline by the
    time suspended (not the contact deadline once the resident was contacted). Deadlines use the
    category's current limits. The first contact is the event at or after the matter's recorded
    ``contacted_at``.
    """

    def __init__(
        self, matter: Matter, category: Category, events: Sequence[Any] | None = None
    ) -> None:
        self.pk = matter.pk
        self.created_at = matter.created_at
        self.area_path = matter.area_path
        self.category_id = matter.category_id
        self.category = category
        # The 三事/四事 each event saw (the deadlines follow them: a triage or mode event changes
        # them) start from the category's mode; every count is keyed on the matter's current
        # ones (``key_dims``), as the live rows are after ``reattribute``.
        self.triage = ""
        self.handling_mode = initial_mode(matter, category, events or ())
        self.key_dims: Dims = (matter.triage or "", matter.handling_mode or "")
        self.first_dispatched_at: dt.datetime | None = None
        self.dispatched_at: dt.datetime | None = None
        self.reported_at: dt.datetime | None = None
        self.final_contacted_at = matter.contacted_at
        self.status = ""
        self.lead_unit_id: int | None = None
        self.dispatch_count = 0
        self.sign_due: dt.datetime | None = None
        self.contact_due: dt.datetime | None = None
        self.handle_due: dt.datetime | None = None
        self.contacted_at: dt.datetime | None = None
        self.closed_at: dt.datetime | None = None
        self.suspended_at: dt.datetime | None = None
        self.requested_days = 0
        self.extension_count = 0

    def _due(self, stage: str, at: dt.datetime) -> dt.datetime:
        return stage_due(self, stage, at)  # type: ignore[arg-type]

    def _mode(self, mode: str) -> None:
        """``steps.mode``: the deadlines still running recounted with the new mode's limits."""
        self.handling_mode = mode
        if self.status == Status.DISPATCHED and self.dispatched_at is not None:
            self.sign_due = self._due("sign", self.dispatched_at)
        first = self.first_dispatched_at
        if first is not None and self.contacted_at is None:
            self.contact_due = self._due("contact", first)
        if first is not None and self.reported_at is None:
            self.handle_due = self._due("handle", first)

    def step(self, e: Any) -> None:
        a, at, data = e.action, e.at, e.data or {}
        if a == "triage":
            self.triage = str(data.get("triage") or "")
        if a in ("triage", "mode") and data.get("mode") and data["mode"] != self.handling_mode:
            self._mode(str(data["mode"]))
        if a == "report":
            self.reported_at = at
        if a == "dispatch":
            self.dispatched_at = at
            self.first_dispatched_at = self.first_dispatched_at or at
            self.lead_unit_id = data.get("unit") or e.unit_id
            self.dispatch_count += 1
            self.sign_due = self._due("sign", at)
            self.contact_due = self.contact_due or self._due("contact", at)
            self.handle_due = self.handle_due or self._due("handle", at)
        elif a == "reopen":
            self.closed_at = None
            if self.lead_unit_id is not None:
                self.sign_due = self._due("sign", at)
                self.handle_due = self._due("handle", at)
        elif a == "extend":
            self.requested_days = int(data.get("days") or 0)
        elif a == "approve_extension":
            if data.get("approved"):
                self.handle_due = add_workdays(self.handle_due or at, self.requested_days)
                self.extension_count += 1
            self.requested_days = 0
        elif a == "suspend":
            self.suspended_at = at
        elif a == "resume" and self.suspended_at is not None:
            shift = at - self.suspended_at
            for name in ("sign_due", "contact_due", "handle_due"):
                if name == "contact_due" and self.contacted_at is not None:
                    continue
                value = getattr(self, name)
                if value is not None:
                    setattr(self, name, value + shift)
            self.suspended_at = None
        closing = (Status.CLOSED, Status.REJECTED, Status.MERGED)
        if e.to_status in closing and e.from_status != e.to_status:
            self.closed_at = at
        final = self.final_contacted_at
        if self.contacted_at is None and final is not None and at >= final:
            self.contacted_at = final
        self.status = e.to_status


# The columns a rebuild reads (the replay's and the repeat test's): no more, so a rebuild run by
# a migration does not depend on columns added to these tables later.
REPLAY_MATTER_FIELDS = (
    "id", "created_at", "area_path", "category", "handling_mode", "triage", "contacted_at",
    "address",
    "lat", "lng", "title", "description",
)  # fmt: skip
REPLAY_EVENT_FIELDS = ("id", "matter", "action", "from_status", "to_status", "at", "data", "unit")

# The tables of counts and their counters (the columns ``flush`` adds to) …
COUNTERS: dict[type[models.Model], tuple[str, ...]] = {
    MatterAreaDay: ROLLUP_COUNTERS,
    MatterUnitDay: ROLLUP_COUNTERS,
    MatterDuration: ("n",),
    MatterAreaAll: ROLLUP_COUNTERS,
    MatterDurationAll: ("n",),
}
COUNT_MODELS: tuple[type[models.Model], ...] = tuple(COUNTERS)
# … and with them each matter's state: every table of the rollups.
ROLLUP_MODELS: tuple[type[models.Model], ...] = (*COUNT_MODELS, MatterRollupState)


@transaction.atomic
def rebuild(*, batch: int = 1000, say: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute every rollup from the events (idempotent; run after bulk loads)."""
    if connection.vendor == "postgresql":  # live writers wait instead of counting twice
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ROLLUP_MODELS)
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    for model in ROLLUP_MODELS:
        model._base_manager.all().delete()
    categories = {c.pk: c for c in Category.objects.only("id", "limits", "handling_mode")}
    last, n_matters, n_events = 0, 0, 0
    while True:
        matters = list(
            Matter.objects.filter(pk__gt=last).only(*REPLAY_MATTER_FIELDS).order_by("pk")[:batch]
        )
        if not matters:
            break
        events: dict[int, list[MatterEvent]] = defaultdict(list)
        found = MatterEvent.objects.filter(matter_id__in=[m.pk for m in matters])
        for e in found.only(*REPLAY_EVENT_FIELDS).order_by("matter_id", "id"):
            events[e.matter_id].append(e)
        d, states = Deltas(), {}
        for m in matters:
            replay, state = Replay(m, categories[m.category_id], events[m.pk]), State()
            for e in events[m.pk]:
                replay.step(e)
                state = apply_event(d, replay, e, state)
                n_events += 1
            states[m.pk] = state
        add_repeats(d, matters, states)
        flush(d)
        MatterRollupState.objects.bulk_create(
            [MatterRollupState(matter_id=pk, **asdict(s)) for pk, s in states.items()]
        )
        n_matters += len(matters)
        last = matters[-1].pk
        if say:
            say(f"已重算 {n_matters} 件诉求、{n_events} 个事件")
    return {"matters": n_matters, "events": n_events}
