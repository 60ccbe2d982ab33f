"""Zhili's SQLite backend (core/backends/sqlite3): a system check run while another process holds
the write lock (a server restarted under load) finds JSON support, instead of waiting for the lock,
giving up and failing every command with fields.E180."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import checks
from django.db import connections

from zhili.core.backends.sqlite3.base import DatabaseWrapper


def wrapper_for(path: Path, busy_ms: int) -> DatabaseWrapper:
    config = {
        **connections["default"].settings_dict,
        "NAME": str(path),
        "OPTIONS": {
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA busy_timeout={busy_ms};",
            "transaction_mode": "IMMEDIATE",
        },
    }
    return DatabaseWrapper(config, alias="locked")


def test_the_json_probe_does_not_wait_for_another_writer(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():  # a database of the test's own, not the test database
        probe_beside_a_writer(tmp_path / "busy.sqlite3")


def probe_beside_a_writer(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("CREATE TABLE t (x)")
        writer.execute("BEGIN IMMEDIATE")  # another process, mid-write
        writer.execute("INSERT INTO t VALUES (1)")
        db = wrapper_for(path, busy_ms=2000)
        try:
            # Django's own probe waits the 2 s for the lock, gives up and answers False.
            assert db.features.supports_json_field is True
            assert db.features.has_json_object_function is True
            # and the writer still holds it: a write from here would have to wait
            db.ensure_connection()
            db.connection.execute("PRAGMA busy_timeout=0")
            try:
                db.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as err:
                assert "locked" in str(err)
            else:  # pragma: no cover - the premise of the test failed
                raise AssertionError("the other writer did not hold the lock")
        finally:
            db.close()
        writer.execute("ROLLBACK")


@pytest.mark.django_db
def test_every_sqlite_database_uses_it_and_the_checks_pass() -> None:
    sqlite = [c for c in settings.DATABASES.values() if "sqlite" in c["ENGINE"]]
    assert all(c["ENGINE"] == "zhili.core.backends.sqlite3" for c in sqlite)
    errors = checks.run_checks(databases=list(connections))
    assert [e.id for e in errors if e.id == "fields.E180"] == []
