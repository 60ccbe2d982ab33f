"""Exact query counts, pinned per named page and per named transition in each app's
``tests/query_counts.json`` (as NetBox and Zulip do)::

    from zhili.testing.queries import assert_query_count

    client.get(url)  # warm the session and the process caches first
    with assert_query_count("matters.detail"):
        client.get(url)

The count must equal the pinned one: a page that gains a query per row, or loses its
``select_related``, fails here with the queries it ran. A deliberate change is recorded with
``ZHILI_UPDATE_SNAPSHOTS=1``, which rewrites the counts the run measured (review the diff).

The app is the one whose tests call the helper (``app=`` names another). A count is a number
for every database; where SQLite and PostgreSQL differ, write ``{"sqlite": n, "postgresql": m}``
by hand once, and updates keep each database's own number.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections
from django.test.utils import CaptureQueriesContext

from zhili.testing import snapshots

FILE = "query_counts.json"


def counts_file(app: str) -> Path:
    """``<app>/tests/query_counts.json`` of an app label (``matters``) or module (``zhili.matters``)."""
    config = apps.get_app_config(app) if "." not in app else apps.get_containing_app_config(app)
    if config is None:
        raise LookupError(f"{app} is not in an installed app")
    return Path(config.path) / "tests" / FILE


def expected_count(pinned: Any, vendor: str) -> int | None:
    if isinstance(pinned, dict):
        return pinned.get(vendor)
    return pinned if isinstance(pinned, int) else None


def _pin(data: dict[str, Any], name: str, vendor: str, count: int) -> None:
    pinned = data.get(name)
    if isinstance(pinned, dict):
        data[name] = {**pinned, vendor: count}
    else:
        data[name] = count


def assert_query_count(name: str, *, app: str | None = None, using: str = "default") -> Any:
    """A context manager: the queries run inside it must be exactly as many as pinned under
    ``name`` in the app's ``tests/query_counts.json``. It yields the captured queries."""
    module = app or sys._getframe(1).f_globals.get("__name__", "")
    return _counted(name, counts_file(module), using)


@contextmanager
def _counted(name: str, path: Path, using: str) -> Iterator[CaptureQueriesContext]:
    connection = connections[using]
    with CaptureQueriesContext(connection) as captured:
        yield captured
    count = len(captured)
    if snapshots.updating():
        snapshots.update(path, lambda data: _pin(data, name, connection.vendor, count))
        return
    pinned = expected_count(snapshots.read(path).get(name), connection.vendor)
    if pinned is None:
        raise AssertionError(
            f"查询次数未登记：{name}（{path}）；用 {snapshots.SWITCH}=1 运行以记录（实测 {count}）"
        )
    if count != pinned:
        sql = "\n".join(f"  {i}. {q['sql'][:300]}" for i, q in enumerate(captured, 1))
        raise AssertionError(
            f"{name}：{count} 次查询，登记为 {pinned}（{path}）\n{sql}\n"
            f"（确属有意的改动：{snapshots.SWITCH}=1 重写）"
        )
