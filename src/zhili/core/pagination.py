"""Keyset pagination: ``{"items": [...], "next": <cursor or null>}`` without OFFSET or COUNT(*)."""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed

MAX_LIMIT = 200


@dataclass
class Page:
    items: list[Any]
    next: str | None


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(gettext("分页游标无效"), code="invalid_cursor") from exc
    if not isinstance(values, list) or len(values) != size or not all(_plain(v) for v in values):
        raise ValidationFailed(gettext("分页游标无效"), code="invalid_cursor")
    return values


def _plain(value: Any) -> bool:
    """A cursor value a database can compare: text without NUL, a finite number (no bool)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return "\x00" not in value and len(value) <= 1000
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int)


def _fitted(qs: QuerySet, order: tuple[str, ...], values: list[Any]) -> list[Any]:
    """The cursor's values converted to the ordering fields' types, integers within the
    column's range: a value that does not fit is an invalid cursor, never a database error."""
    from django.db import connections

    connection = connections[qs.db]
    out = []
    for field_path, value in zip(order, values, strict=True):
        model, field = qs.model, None
        for part in field_path.lstrip("-").split("__"):
            field = model._meta.get_field(part)
            if field.is_relation and field.related_model is not None:
                model = field.related_model
                field = model._meta.pk
        assert field is not None
        converted = field.to_python(value)
        internal = field.get_internal_type()
        if isinstance(converted, int) and not isinstance(converted, bool):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError("fractional cursor value for an integer field")
            low, high = connection.ops.integer_field_range(internal)
            low = -(2**63) if low is None else low
            high = 2**63 - 1 if high is None else high
            if not low <= converted <= high:
                raise ValueError("cursor value out of the column's range")
        if isinstance(converted, float) and not math.isfinite(converted):
            raise ValueError("non-finite cursor value")
        if isinstance(converted, str) and "\x00" in converted:
            raise ValueError("NUL in a cursor value")
        out.append(converted)
    return out


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``order`` (fields may start with "-" for descending)."""
    q = Q()
    for i, field in enumerate(order):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[i]})
        for j in range(i):
            step &= Q(**{order[j].lstrip("-"): values[j]})
        q |= step
    return q


def keyset_page(
    qs: QuerySet, *, order: tuple[str, ...], cursor: str | None, limit: int = 50
) -> Page:
    """One page of ``qs`` ordered by ``order`` (whose last field must be unique)."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    qs = qs.order_by(*order)
    if cursor:
        try:
            values = _fitted(qs, order, decode_cursor(cursor, len(order)))
            qs = qs.filter(_after(order, values))
        except (ValueError, TypeError, OverflowError, DjangoValidationError) as exc:
            # Well-formed JSON whose values do not fit the fields (e.g. text for an id).
            raise ValidationFailed(gettext("分页游标无效"), code="invalid_cursor") from exc
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if has_more and rows:
        last = rows[-1]
        nxt = encode_cursor([_value(last, f.lstrip("-")) for f in order])
    return Page(items=rows, next=nxt)


def _value(obj: Any, field: str) -> Any:
    """``field`` of a page's last row: a model instance, or a ``values()`` row."""
    if isinstance(obj, dict):
        obj = obj[field]
    else:
        for part in field.split("__"):
            obj = getattr(obj, part)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj
