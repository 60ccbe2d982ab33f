"""Small input rules shared by the services of every module."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed


def clean_text(value: str | None, label: str, *, required: bool = True, limit: int = 0) -> str:
    """Stripped text; empty or too long answers 422 with a Chinese message naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(
            gettext("%(label)s不能为空") % {"label": label},
            code="required",
            detail={"field": label},
        )
    if limit and len(value) > limit:
        raise ValidationFailed(
            gettext("%(label)s不能超过 %(limit)s 个字") % {"label": label, "limit": limit},
            code="too_long",
            detail={"field": label},
        )
    return value


def next_in_sequence(counter_model: Any, *, n: int = 1, **key: Any) -> int:
    """The next value of a per-key counter (per day, per year, ...), inside the caller's
    transaction: one ``INSERT … ON CONFLICT (key) DO UPDATE SET last = last + n RETURNING last``
    (PostgreSQL; SQLite ≥ 3.35). The upsert locks the counter row until the caller commits, so
    concurrent callers get consecutive values and a rolled-back caller leaves no gap; call it as
    late in the transaction as possible, since every caller of the same key waits for the lock.

    ``n`` > 1 draws n consecutive values at once and returns the last of them (the first is
    ``last - n + 1``). The key fields must carry a unique constraint (the conflict target); ``last``
    starts at 0."""
    if n < 1:
        raise ValueError("next_in_sequence draws at least one value")
    connection = _in_transaction("next_in_sequence")
    sql, params = _draw(connection, counter_model, n, key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def _in_transaction(name: str) -> Any:
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside the caller's transaction")
    return connection


def _draw(connection: Any, counter_model: Any, n: int, key: dict[str, Any]) -> tuple[str, list]:
    """The counter's upsert (``INSERT … ON CONFLICT … DO UPDATE … RETURNING last``), with its
    parameters."""
    meta = counter_model._meta
    qn = connection.ops.quote_name
    fields = [meta.get_field(name) for name in key]
    cols = [qn(f.column) for f in fields]
    params = [f.get_db_prep_save(key[f.name], connection) for f in fields]
    table, last = qn(meta.db_table), qn(meta.get_field("last").column)
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}, {last}) "
        f"VALUES ({', '.join(['%s'] * len(cols))}, %s) "
        f"ON CONFLICT ({', '.join(cols)}) DO UPDATE SET {last} = {table}.{last} + %s "
        f"RETURNING {last}"
    )
    return sql, [*params, n, n]


# Chinese phone numbers: a mobile (11 digits from 13–19, optionally +86), a landline with its area
# code (023-63891234, 02363891234, extension after a dash), or a local landline of 7–8 digits.
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[2-9]\d{6,7}(?:-\d{1,6})?$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")


def phone_number(value: str | None) -> str:
    """The number without spaces (and "+86 " kept as "+86"), or "" for none; ValidationFailed
    with a message a resident understands when it is not a Chinese mobile or landline."""
    text = "".join((value or "").split())
    if not text:
        return ""
    if _MOBILE.match(text) or _LANDLINE.match(text) or _LOCAL.match(text):
        return text
    raise ValidationFailed(
        gettext("请填写正确的手机号码（11 位）或带区号的固定电话（如 023-63891234）"),
        code="invalid_phone",
    )


def number_in_sequence(
    obj: Any, field: str, prefix: str, width: int, counter_model: Any, **key: Any
) -> str:
    """Give a row already saved in the caller's transaction its number: ``prefix`` and the next
    value of the counter (``next_in_sequence``), zero-padded to ``width`` digits, stored in
    ``obj.<field>`` and returned. For a writer that inserts the row under a placeholder and draws
    the number last, so that the counter's row is locked for as short a time as possible. On
    PostgreSQL the draw and the UPDATE are one statement (a data-modifying WITH); elsewhere two."""
    connection = _in_transaction("number_in_sequence")
    if connection.vendor != "postgresql":
        number = f"{prefix}{next_in_sequence(counter_model, **key):0{width}d}"
        type(obj)._base_manager.filter(pk=obj.pk).update(**{field: number})
        setattr(obj, field, number)
        return number
    meta, qn = type(obj)._meta, connection.ops.quote_name
    draw, params = _draw(connection, counter_model, 1, key)
    table, column, pk = qn(meta.db_table), qn(meta.get_field(field).column), qn(meta.pk.column)
    last = qn(counter_model._meta.get_field("last").column)
    sql = (
        f"WITH c AS ({draw}) "
        f"UPDATE {table} SET {column} = %s || CASE WHEN c.{last} < 10 ^ %s "
        f"THEN lpad(c.{last}::text, %s, '0') ELSE c.{last}::text END FROM c "
        f"WHERE {table}.{pk} = %s RETURNING {table}.{column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, prefix, width, width, obj.pk])
        row = cursor.fetchone()
    if row is None:
        raise RuntimeError(f"number_in_sequence: {meta.label} {obj.pk} is not saved")
    number = str(row[0])
    setattr(obj, field, number)
    return number
