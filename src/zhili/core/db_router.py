"""Report reads on a PostgreSQL replica (DATABASE_REPLICA_URL).

Pages and exports that only read many rows to count them — the matters' statistics and their
exports, the cockpit, the targets table export, bulletins — are marked with ``@report_reads``;
while such a view runs, the router sends its reads to the ``replica`` database if one is
configured. Everything else, and every write, stays on ``default``. A replica lags its primary by
a moment, which a statistics page can afford and a form that reads what it just wrote cannot: so
only marked views read from it. Without DATABASE_REPLICA_URL nothing changes.

A report's reads are also planned for their own values: on PostgreSQL with prepared statements
(settings, ``DATABASE_PREPARE_THRESHOLD``), psycopg prepares nothing inside ``reporting()``. A
prepared statement is planned once for any values after five runs (PostgreSQL's generic plan),
which suits a form's lookups by key and not a report's sums over a range of days and areas: the
city's dashboard read ten times slower with them (docs/performance.md, "Reports planned for their
values").
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

REPLICA = "replica"
_reporting: ContextVar[bool] = ContextVar("zhili_report_reads", default=False)


@contextmanager
def reporting() -> Iterator[None]:
    """Reads inside the block go to the replica, when there is one, unprepared."""
    token = _reporting.set(True)
    try:
        with unprepared(connections[read_database()]):
            yield
    finally:
        _reporting.reset(token)


@contextmanager
def unprepared(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Statements run inside the block are not prepared on the server (each is planned for its
    parameters), on a PostgreSQL connection that prepares; elsewhere, nothing changes."""
    if connection.vendor != "postgresql" or not connection.settings_dict.get("OPTIONS", {}).get(
        "prepare_threshold"
    ):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None  # psycopg: prepare nothing, not even what it prepared before
    try:
        yield
    finally:
        raw.prepare_threshold = before


@contextmanager
def primary() -> Iterator[None]:
    """Reads inside the block go to the primary, even within a report: what is kept beyond the
    request (the per-process memos of ``core.lookups``: the users' grants among them) must not
    be a lagging replica's rows."""
    token = _reporting.set(False)
    try:
        yield
    finally:
        _reporting.reset(token)


def report_reads[F: Callable[..., Any]](view: F) -> F:
    """Mark a view (or any function) whose reads may come from the replica."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with reporting():
            return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def read_database() -> str:
    """The alias reads go to now: ``replica`` inside a report with a replica configured."""
    return REPLICA if _reporting.get() and REPLICA in settings.DATABASES else "default"


class ReportReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        alias = read_database()
        return alias if alias != "default" else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Rows read from the replica are the primary's rows.
        if {obj1._state.db, obj2._state.db} <= {"default", REPLICA}:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPLICA else None
