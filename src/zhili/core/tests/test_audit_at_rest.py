"""The audit trail cannot be emptied (issue 18, item 3): TRUNCATE is refused by a trigger, and
an application role made by ``zhili db_grants`` can only SELECT and INSERT the append-only
tables and cannot disable their triggers. PostgreSQL only (SQLite has neither TRUNCATE nor
roles)."""

from __future__ import annotations

import secrets

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from zhili.core.events import append_only_tables
from zhili.core.models import AuditEvent

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no TRUNCATE and no database roles; run with DATABASE_URL=postgres://…",
)


@postgres_only
@pytest.mark.parametrize("table", append_only_tables())
def test_truncate_is_refused_on_every_append_only_table(table: str) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {connection.ops.quote_name(table)} CASCADE")


@postgres_only
def test_the_audit_survives_a_truncate_attempt() -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE core_auditevent")
    assert AuditEvent.objects.count() == count > 0


def attempt(sql: str) -> str:
    """Run ``sql`` as the current role in a savepoint: "ok" or the error's first line."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        return str(exc).splitlines()[0]
    return "ok"


@postgres_only
def test_the_app_role_can_only_append_to_the_audit() -> None:
    role = f"zhili_app_{secrets.token_hex(3)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")  # rolled back with the test
    call_command("db_grants", role)
    event = AuditEvent.objects.order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {role}")
    try:
        assert attempt(f"SELECT count(*) FROM core_auditevent WHERE id = {event.pk}") == "ok"
        assert (
            attempt(
                "INSERT INTO core_auditevent (at, actor_name, action, object_type, object_id,"
                " object_repr, area_path, note, request_id, before, after) VALUES (now(), 'x',"
                " 'x', 'x', '1', 'x', '/', '', '', 'null', 'null')"
            )
            == "ok"
        )
        for sql in (
            f"UPDATE core_auditevent SET note = 'x' WHERE id = {event.pk}",
            f"DELETE FROM core_auditevent WHERE id = {event.pk}",
            "TRUNCATE core_auditevent",
            "ALTER TABLE core_auditevent DISABLE TRIGGER ALL",
        ):
            outcome = attempt(sql)
            assert "permission denied" in outcome or "must be owner" in outcome, (sql, outcome)
        # The ordinary tables stay writable.
        assert (
            attempt("UPDATE org_unit SET name = name WHERE id = (SELECT min(id) FROM org_unit)")
            == "ok"
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@postgres_only
def test_grants_refuse_an_unknown_role() -> None:
    with pytest.raises(CommandError):
        call_command("db_grants", "no_such_role_zhili")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite answer")
def test_grants_are_for_postgresql_only() -> None:
    with pytest.raises(CommandError):
        call_command("db_grants", "anyone")
