"""A queryset's rows as the database driver gives them.

``values_list`` runs every row through Django's converters: for a ``Sum`` that is a call per row
that makes an int of an int. A report that reads thousands of grouped rows (the duration
histograms: a row per area, measure and bucket) spent a third of its Python there. ``plain_rows``
runs the same SQL on the same database (the router's choice, ``qs.db``) and returns the driver's
tuples: only for columns whose Python value the driver already gives right on every backend
(integers and text; not dates, which SQLite gives as text, nor decimals or JSON)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet


def plain_rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """``list(qs)`` of a ``values_list`` queryset, without Django's per-row converters."""
    compiler = qs.query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # a filter that matches nothing (``none()``, ``pk__in=[]``): no query
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
