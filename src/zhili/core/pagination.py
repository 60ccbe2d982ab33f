"""Keyset pagination: ``{"items": [...], "next": <cursor or null>}`` without OFFSET or COUNT(*)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

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
        raise ValidationFailed("分页游标无效", code="invalid_cursor") from exc
    if (
        not isinstance(values, list)
        or len(values) != size
        or not all(isinstance(v, str | int | float) for v in values)
    ):
        raise ValidationFailed("分页游标无效", code="invalid_cursor")
    return values


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
            qs = qs.filter(_after(order, decode_cursor(cursor, len(order))))
        except (ValueError, TypeError, DjangoValidationError) as exc:
            # Well-formed JSON whose values do not fit the fields (e.g. text for an id).
            raise ValidationFailed("分页游标无效", code="invalid_cursor") from exc
    rows = list(qs[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if has_more and rows:
        last = rows[-1]
        nxt = encode_cursor([_value(last, f.lstrip("-")) for f in order])
    return Page(items=rows, next=nxt)


def _value(obj: Any, field: str) -> Any:
    for part in field.split("__"):
        obj = getattr(obj, part)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj
