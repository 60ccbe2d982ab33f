"""What other modules hold about an object, shown on its page without its app importing them.

The app that links to an object contributes the links, read through its own scoped selector: its
AppConfig declares ``related = {"matters.matter": "zhili.risks.selectors.risks_of_matter"}``, a
function ``(user, obj) -> Related | None``. The object's page asks ``related_to(user, obj)`` and
includes ``core/_related.html``. So matters shows a matter's risks and disputes, yet matters
imports neither risks nor disputes (they depend on matters, not the other way round).

Most objects are linked from nowhere. A provider that declares its links by the scoped selector
it reads them with (``@linked_by(risks_from_matter)``: ``(user, matter) -> QuerySet``) is asked
first, with every other such provider, in one query (UNION ALL of the querysets; one the user's
scope empties costs nothing), and then called with ``linked=False`` when the user may see none:
it skips its own query and offers only its actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import IntegerField, QuerySet, Value
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Related:
    """One app's contribution: links to its records, and actions (start one from this object)."""

    items: list[Link] = field(default_factory=list)
    actions: list[Link] = field(default_factory=list)
    order: int = 100


@cache
def providers(label: str) -> tuple[Callable[..., Related | None], ...]:
    """The functions contributing to objects of model ``label`` ("matters.matter")."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "related", {}).get(label)
        if path:
            found.append(import_string(path))
    return tuple(found)


Links = Callable[[Any, Any], QuerySet[Any]]


def linked_by(links: Links) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a provider's links to an object as the user may see them, ``links(user, obj)``:
    a queryset read through the linking app's scoped selector. The provider then takes a
    ``linked`` keyword, False when the user may see none."""

    def declare(provider: Callable[..., Any]) -> Callable[..., Any]:
        provider.links = links  # type: ignore[attr-defined]
        return provider

    return declare


def _linked(user: Any, obj: Any, found: tuple[Callable[..., Any], ...]) -> set[int]:
    """The indexes of the providers in ``found`` that declare links and whose links to ``obj``
    the user may see, in one query (none when the user's scope empties every queryset)."""
    declared: list[tuple[int, Links]] = [
        (i, links) for i, p in enumerate(found) if (links := getattr(p, "links", None)) is not None
    ]
    parts = [
        qs.order_by().values_list(Value(i, output_field=IntegerField()))
        for i, links in declared
        if not (qs := links(user, obj)).query.is_empty()
    ]
    if not parts:
        return set()
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return {i for (i,) in rows}


def related_to(user: Any, obj: Any) -> list[Related]:
    found = providers(obj._meta.label_lower)
    linked = _linked(user, obj, found)
    out = []
    for i, p in enumerate(found):
        declared = getattr(p, "links", None) is not None
        r = p(user, obj, linked=i in linked) if declared else p(user, obj)
        if r is not None:
            out.append(r)
    return sorted(out, key=lambda r: r.order)
