"""The one event model: every step of a workflow object's life is an immutable row.

Each module declares a concrete subclass with a foreign key to its subject (``MatterEvent.matter``,
``RiskEvent.risk``, ...). Rows are append-only three times over: ``save()`` on an existing row and
``delete()`` raise, the queryset refuses ``update()`` and ``delete()``, and a database trigger
(``AppendOnly`` in the module's migration) refuses UPDATE and DELETE, as it does for the audit.

Pages never show ``action`` or ``data`` as stored: ``event.label`` and ``event.summary`` come from
the label registry (``zhili.core.labels``), which each module fills from its rules table.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import migrations, models
from django.utils.translation import gettext, gettext_lazy

from zhili.core import labels
from zhili.core.system import SYSTEM_USERNAME


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete a row of an append-only table."""


class AppendOnlyQuerySetMixin:
    """Refuses ``update()`` and ``delete()``: for the querysets of append-only tables."""

    model: Any

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError(
            gettext("%(verbose_name)s只能追加，不能修改")
            % {"verbose_name": self.model._meta.verbose_name}
        )

    def delete(self) -> Any:
        raise AppendOnlyError(
            gettext("%(verbose_name)s只能追加，不能删除")
            % {"verbose_name": self.model._meta.verbose_name}
        )


class AppendOnlyModel(models.Model):
    """A row that is written once: ``save()`` of an existing row and ``delete()`` raise. The
    database refuses the same through the ``AppendOnly`` migration operation below."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(
                gettext("%(verbose_name)s只能追加，不能修改")
                % {"verbose_name": self._meta.verbose_name}
            )
        from zhili.core.i18n import stored

        for field in self._meta.concrete_fields:  # labels in stored JSON: the stored language
            if isinstance(field, models.JSONField):
                setattr(self, field.attname, stored(getattr(self, field.attname)))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError(
            gettext("%(verbose_name)s只能追加，不能删除")
            % {"verbose_name": self._meta.verbose_name}
        )


class EventQuerySet(AppendOnlyQuerySetMixin, models.QuerySet):
    def for_display(self) -> EventQuerySet:
        return self.select_related("actor").order_by("id")


class Event(AppendOnlyModel):
    """What happened (``action``), from which state to which, who did it, when, why and with what
    details (``data``: plain JSON, shown through the registry's describer, never raw)."""

    action = models.CharField(gettext_lazy("动作"), max_length=32)
    from_status = models.CharField(gettext_lazy("原状态"), max_length=16, blank=True)
    to_status = models.CharField(gettext_lazy("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_id: int | None  # the foreign key's column (django-stubs omits it on abstract models)
    actor_name = models.CharField(gettext_lazy("操作人账号"), max_length=150, blank=True)
    at = models.DateTimeField(gettext_lazy("时间"), db_index=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    data = models.JSONField(gettext_lazy("详情"), default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    # The name of the foreign key to the subject ("matter"); set by each concrete model.
    subject_field: ClassVar[str] = ""

    class Meta(AppendOnlyModel.Meta):
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.label}"

    @property
    def kind(self) -> str:
        return self._meta.label_lower

    @property
    def label(self) -> str:
        return labels.action_label(self.kind, self.action)

    @property
    def summary(self) -> str:
        """The event's details in words (may be empty); never a dump of ``data``."""
        return labels.describe(self)

    @property
    def shown_note(self) -> str:
        """The note as pages show it (``labels.note_shown``)."""
        return labels.note_shown(self)

    @property
    def from_label(self) -> str:
        return labels.status_label(self.kind, self.from_status)

    @property
    def to_label(self) -> str:
        return labels.status_label(self.kind, self.to_status)

    @property
    def actor_display(self) -> str:
        if self.actor_id is None:
            return labels.stored_actor_name(self.actor_name) or self.actor_name
        actor = self.actor
        if getattr(actor, "username", "") == SYSTEM_USERNAME:  # loaders, tasks, the hotline feed
            return str(labels.SYSTEM)
        return getattr(actor, "display_name", "") or self.actor_name


# -- the database trigger, for migrations ------------------------------------------------------


def _statements(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;",
        ]
    if vendor == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only'; END; $$ LANGUAGE plpgsql;",
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();",
            # TRUNCATE fires no row trigger: a statement trigger of its own.
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only();",
        ]
    return []


def _drop(table: str, vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_update;",
            f"DROP TRIGGER IF EXISTS {table}_no_delete;",
        ]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_change ON {table};",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
            f"DROP FUNCTION IF EXISTS {table}_append_only();",
        ]
    return []


def AppendOnly(table: str) -> migrations.RunPython:
    """A migration operation: the database refuses UPDATE and DELETE on ``table``."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        for sql in _statements(table, schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def backwards(apps: Any, schema_editor: Any) -> None:
        for sql in _drop(table, schema_editor.connection.vendor):
            schema_editor.execute(sql)

    return migrations.RunPython(forwards, backwards)


def append_only_tables() -> list[str]:
    """The tables of every concrete append-only model (the audit and each module's events)."""
    from django.apps import apps

    return sorted(
        m._meta.db_table
        for m in apps.get_models()
        if issubclass(m, AppendOnlyModel) and not m._meta.abstract
    )


def ensure_append_only(using: str = "default", **_: Any) -> None:
    """(Re)install the triggers of every append-only table; idempotent. Runs after every migrate:
    SQLite rebuilds a table for many schema changes and the rebuilt table has lost its triggers."""
    from django.db import connections

    connection = connections[using]
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in append_only_tables():
            if table in existing:
                for sql in _statements(table, connection.vendor):
                    cursor.execute(sql)
