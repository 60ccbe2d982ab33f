"""PostgreSQL binds parameters on the server and prepares a statement a connection runs often
(settings, ``DATABASE_PREPARE_THRESHOLD``; docs/deploy.md). The whole suite runs with it on
PostgreSQL; these tests check the setting itself and that statements really are prepared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

PROBE = (
    "import zhili.settings as s; o = s.DATABASES['default'].get('OPTIONS', {}); "
    "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


def _settings(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_PREPARE_THRESHOLD"}
    env.update(PYTHONPATH=str(Path(__file__).resolve().parents[3]), ZHILI_TESTING="1", **extra)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )


def test_postgresql_prepares_by_default_and_off_turns_it_off() -> None:
    pg = "postgres://zhili@127.0.0.1:5432/zhili"
    assert _settings(DATABASE_URL=pg).stdout.split() == ["True", "2"]
    assert _settings(DATABASE_URL=pg, DATABASE_PREPARE_THRESHOLD="5").stdout.split() == [
        "True",
        "5",
    ]
    assert _settings(DATABASE_URL=pg, DATABASE_PREPARE_THRESHOLD="OFF").stdout.split() == [
        "None",
        "None",
    ]
    # Set but empty, as an env file leaves it: the default.
    assert _settings(DATABASE_URL=pg, DATABASE_PREPARE_THRESHOLD="").stdout.split() == ["True", "2"]
    # SQLite has no such thing: its options are its own.
    assert _settings(DATABASE_URL="sqlite:///x.sqlite3").stdout.split() == ["None", "None"]


def test_a_wrong_threshold_stops_the_start_with_a_clear_message() -> None:
    for wrong in ("yes", "²", "-1"):
        result = _settings(
            DATABASE_URL="postgres://zhili@127.0.0.1:5432/zhili", DATABASE_PREPARE_THRESHOLD=wrong
        )
        assert result.returncode != 0
        assert "DATABASE_PREPARE_THRESHOLD: a whole number, or off" in result.stderr


@pytest.mark.django_db
def test_a_query_run_twice_is_prepared_on_the_server() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from zhili.areas.models import Area

    for depth in (1, 2, 3):  # the same statement, other parameters
        Area.objects.filter(depth=depth).count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "areas_area"' in s and "$1" in s for s in prepared), prepared


@pytest.mark.django_db
def test_a_report_prepares_nothing_and_a_form_after_it_still_does() -> None:
    """A report's sums are planned for their own values (``core.db_router.reporting``): the same
    statement run a dozen times inside a report is never prepared; after it, it is again."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    from zhili.areas.models import Area
    from zhili.core.db_router import reporting

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            found = [row[0] for row in cursor.fetchall()]
        return [s for s in found if 'FROM "areas_area" WHERE "areas_area"."depth" >=' in s]

    with reporting(), reporting():  # nested: the inner block gives back what the outer set
        for depth in range(12):
            Area.objects.filter(depth__gte=depth).count()
    assert prepared() == []
    assert (
        connection.connection.prepare_threshold
        == connection.settings_dict["OPTIONS"]["prepare_threshold"]
    )
    for depth in range(3):
        Area.objects.filter(depth__gte=depth).count()
    assert len(prepared()) == 1
