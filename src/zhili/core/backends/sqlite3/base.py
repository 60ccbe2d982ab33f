"""SQLite, as Django ships it, except for one probe that must not wait for the write lock.

Zhili opens SQLite transactions with ``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), so
that two writers queue instead of failing half-way. Django's probe for JSON support runs its
``SELECT JSON(...)`` inside ``transaction.atomic``, which therefore asks for the write lock; while
other processes write (a server restarted under load, with the old workers still finishing their
requests; a ``zhili backup`` during office hours) the probe waits ``busy_timeout``, gives up with
"database is locked", and Django concludes that SQLite has no JSON: every command's system check
then fails with ``fields.E180`` and the server refuses to start. The probe is a read; here it runs
as one, outside any transaction, which in WAL mode never waits for a writer."""

from __future__ import annotations

from django.db.backends.sqlite3 import base, features
from django.db.utils import OperationalError
from django.utils.functional import cached_property


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def supports_json_field(self) -> bool:  # type: ignore[override]  # Django's is one too
        with self.connection.cursor() as cursor:
            try:
                cursor.execute('SELECT JSON(\'{"a": "b"}\')')
            except OperationalError:
                return False
        return True


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
