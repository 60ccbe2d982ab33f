"""Fast writes of generated rows: COPY on PostgreSQL, executemany on SQLite.

Rows are dicts of attribute names (``category_id``, not ``category``) to Python values; every value
goes through its model field's own ``get_db_prep_save``, so what lands is what ``Model.save()``
would have written. Primary keys are assigned by the generator (``Ids``) so that events can point
at their matter before either is written; ``reset_sequences`` moves PostgreSQL's sequences past
them afterwards. The rollups of a load are staged and summed once at its end (``RollupStage``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, models, transaction

from zhili.matters.rollups import COUNTERS, Writes, additive_upsert


class Ids:
    """The next free primary key of each table (read once, then counted here)."""

    def __init__(self, start: dict[type[models.Model], int] | None = None) -> None:
        self._next: dict[type[models.Model], int] = dict(start or {})

    @staticmethod
    def top(model: type[models.Model]) -> int:
        return model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0

    def next(self, model: type[models.Model]) -> int:
        if model not in self._next:
            self._next[model] = self.top(model) + 1
        pk = self._next[model]
        self._next[model] = pk + 1
        return pk


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields]  # type: ignore[misc]


def _sqlite_datetime(value: Any) -> Any:
    """As Django's SQLite backend stores an aware datetime: naive UTC text."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def _converter(field: models.Field, conn: Any) -> Callable[[Any], Any]:
    """A fast path for the common field types (the same values ``get_db_prep_save`` gives,
    checked by tests/test_sink.py); anything else goes through the field itself."""
    pg = conn.vendor == "postgresql"
    if isinstance(field, models.JSONField):
        if pg:
            from psycopg.types.json import Jsonb

            return lambda v: None if v is None else Jsonb(v)
        return lambda v: None if v is None else json.dumps(v, cls=field.encoder)
    if isinstance(field, models.DateTimeField):
        return (lambda v: v) if pg else _sqlite_datetime
    if isinstance(field, models.DateField):
        return (lambda v: v) if pg else (lambda v: None if v is None else v.isoformat())
    if isinstance(field, models.BooleanField | models.IntegerField | models.FloatField):
        return lambda v: v
    if isinstance(field, models.CharField | models.TextField) and not field.null:
        return lambda v: v
    if isinstance(field, models.ForeignKey | models.AutoField | models.BigAutoField):
        return lambda v: v
    return lambda v: field.get_db_prep_save(v, conn)


def write(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` into ``model``'s table; missing attributes take the field's default."""
    conn = connection
    fields = _fields(model)
    columns = [str(f.column) for f in fields]
    plan = [
        (f.attname, f.get_default() if f.has_default() or f.null else None, _converter(f, conn))
        for f in fields
    ]

    def values(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(convert(row.get(name, default)) for name, default, convert in plan)

    q = conn.ops.quote_name
    table = q(model._meta.db_table)
    n = 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(q(c) for c in columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(values(row))
                    n += 1
        else:
            sql = (
                f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(values(row))
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
    return n


def reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    """After writing explicit primary keys: PostgreSQL's sequences continue past them."""
    if connection.vendor != "postgresql":
        return  # SQLite takes max(rowid) + 1 by itself
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


@contextlib.contextmanager
def indexes_deferred(models_: Iterable[type[models.Model]]) -> Iterator[list[str]]:
    """Drop the secondary (non-unique) indexes of these tables for a bulk load and build them
    again afterwards from their own definitions: one sort per index instead of a B-tree insert
    per row. Unique indexes and primary keys stay (the load relies on them)."""
    tables = [m._meta.db_table for m in models_]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid "
                "WHERE i.tablename = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary",
                [tables],
            )
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%%'",
                tables,
            )
        found = [(str(name), str(sql)) for name, sql in cursor.fetchall()]
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield [name for name, _ in found]
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and connection.in_atomic_block:
                # Inside a transaction (the tests): check the deferred foreign keys now, as
                # PostgreSQL builds no index on a table with pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, sql in found:
                cursor.execute(sql)


def foreign_keys_deferred(models_: Iterable[type[models.Model]]) -> Any:
    """Drop the foreign keys of these tables for a bulk load and add them again afterwards from
    their own definitions (PostgreSQL): adding a foreign key checks every row in one join instead
    of a trigger and an index probe per row and key. The load is checked all the same — adding
    the key back fails if a row points nowhere. SQLite: nothing to do."""
    return constraints_deferred(models_, "f")


@contextlib.contextmanager
def constraints_deferred(models_: Iterable[type[models.Model]], kind: str) -> Iterator[list[str]]:
    """Drop these tables' constraints of ``kind`` (PostgreSQL's ``contype``: "f" foreign keys,
    "u" unique constraints) and add them again afterwards from their own definitions; adding one
    back checks every row at once (a duplicate key or a row pointing nowhere fails it)."""
    if connection.vendor != "postgresql":
        yield []
        return
    tables = [m._meta.db_table for m in models_]
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # the tests: no ALTER TABLE with checks still pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid WHERE k.contype = %s AND c.relname = ANY(%s)",
            [kind, tables],
        )
        found = [(str(t), str(n), str(d)) for t, n, d in cursor.fetchall()]
        for table, name, _definition in found:
            cursor.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
    try:
        yield [name for _t, name, _d in found]
    finally:
        with connection.cursor() as cursor:
            for table, name, definition in found:
                cursor.execute(f"ALTER TABLE {q(table)} ADD CONSTRAINT {q(name)} {definition}")


MERGE_WORK_MEM = "256MB"  # per merging connection: the grouping and the sort in memory
MERGE_INDEX_MEM = "512MB"  # per merging connection: a unique index built again in one sort


class RollupStage:
    """The rollups of a bulk load, summed once at the end (PostgreSQL).

    Each flush of every generating process appends its rollup rows (one per key and flush) by
    COPY to an unlogged staging table per rollup table, which has no index to keep. ``merge``
    then sums each staging table by key and adds the sums to its rollup table, and drops it: into
    an empty table (a new city) by a plain INSERT, the table's unique constraint dropped and added
    again after (one sorted build of its index); into a table that holds rows, by the rollups'
    own additive upsert. The upsert per flush that this replaces looked up the rollup tables'
    unique indexes once per row, and those indexes grow with the city (docs/performance.md, "The
    generator's rollups summed once"). The sums are the same: addition does not depend on the
    order. A key whose changes cancel is not written (the upsert per flush may leave a row of
    zeros, which counts nothing)."""

    PREFIX = "bench_stage_"

    def __init__(self, models_: Iterable[type[models.Model]]) -> None:
        self.models = list(models_)

    def table(self, model: type[models.Model]) -> str:
        """The quoted name of ``model``'s staging table."""
        return connection.ops.quote_name(self.PREFIX + model._meta.db_table)

    @staticmethod
    def _columns(model: type[models.Model]) -> tuple[list[str], list[str], list[str]]:
        """The rollup table's key (its unique constraint's columns), its counters (what
        ``rollups.flush`` adds) and the rest (each a function of the key, such as the depth)."""
        (unique,) = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
        columns = {f.name: str(f.column) for f in _fields(model) if not f.primary_key}
        key = [columns[name] for name in unique.fields]
        counters = [columns[name] for name in COUNTERS[model]]
        rest = [c for c in columns.values() if c not in key and c not in counters]
        return key, counters, rest

    def create(self) -> None:
        q = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in self.models:
                cols = ", ".join(q(c) for part in self._columns(model) for c in part)
                cursor.execute(f"DROP TABLE IF EXISTS {self.table(model)}")
                cursor.execute(
                    f"CREATE UNLOGGED TABLE {self.table(model)} AS "
                    f"SELECT {cols} FROM {q(model._meta.db_table)} WITH NO DATA"
                )

    def writes(self) -> StagedWrites:
        return StagedWrites(self)

    def merge(self, threads: int = 2) -> dict[str, int]:
        """Add the staged sums to the rollup tables and drop the staging tables; returns the
        rows written per table. Outside a transaction, ``threads`` connections merge tables side
        by side (each table is one statement, on one core), the largest first. Each table's
        merge is its own transaction: one that fails leaves its rollup table and its staging
        table as they were, and can be run again."""
        if connection.in_atomic_block or threads <= 1:  # the tests: one transaction sees the stage
            return dict(self._merge_one(model) for model in self.models)
        from concurrent.futures import ThreadPoolExecutor

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(f"pg_relation_size('{self.table(m)}')" for m in self.models)
            )
            sizes = cursor.fetchone()

        def in_thread(model: type[models.Model]) -> tuple[str, int]:
            try:
                return self._merge_one(model)
            finally:
                connection.close()  # this thread's own connection

        size = dict(zip(self.models, sizes, strict=True))
        order = sorted(self.models, key=lambda m: -size[m])
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return dict(pool.map(in_thread, order))

    def _merge_one(self, model: type[models.Model]) -> tuple[str, int]:
        q = connection.ops.quote_name
        key, counters, rest = self._columns(model)
        keys = ", ".join(q(c) for c in key)
        table = q(model._meta.db_table)
        select = (
            f"SELECT {keys}, "
            + ", ".join([*(f"SUM({q(c)})" for c in counters), *(f"MAX({q(c)})" for c in rest)])
            + f" FROM {self.table(model)} GROUP BY {keys} HAVING "
            + " OR ".join(f"SUM({q(c)}) <> 0" for c in counters)
        )
        insert = f"INSERT INTO {table} ({', '.join(q(c) for c in (*key, *counters, *rest))}) "
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL work_mem = '{MERGE_WORK_MEM}'")
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MERGE_INDEX_MEM}'")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                upsert = additive_upsert(model, key, counters)
                cursor.execute(f"{insert}{select} ORDER BY {keys} {upsert}")
                n = cursor.rowcount
            else:
                # In the order a live city writes them: a day's rows during that day. Straight
                # from the hash aggregate they lay in no order, and a report's index-only scan over
                # a district's 30 days went from page to page of the visibility map (docs/
                # performance.md, "The dashboard at the million, 2026-12-08").
                order = ", ".join(q(c) for c in ("day", *(c for c in key if c != "day")))
                with constraints_deferred([model], "u"):
                    cursor.execute(f"{insert}{select} ORDER BY {order}")
                    n = cursor.rowcount
            cursor.execute(f"DROP TABLE {self.table(model)}")
        return str(model._meta.db_table), n


class StagedWrites(Writes):
    """The rollups' writes of one flush: the rows of a staged table appended to its
    ``RollupStage`` table by COPY, any other table's upserted as ``Writes`` does."""

    def __init__(self, stage: RollupStage) -> None:
        super().__init__()
        self.stage = stage

    def add(
        self,
        model: type[models.Model],
        columns: list[str],
        conflict: list[str],
        counters: Iterable[str],
        rows: list[tuple[Any, ...]],
    ) -> None:
        if model not in self.stage.models:
            super().add(model, columns, conflict, counters, rows)
            return
        if not rows:
            return
        q = connection.ops.quote_name
        sql = f"COPY {self.stage.table(model)} ({', '.join(q(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for r in rows:
                copy.write_row(r)
