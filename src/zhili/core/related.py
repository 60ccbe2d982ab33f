"""What other modules hold about an object, shown on its page without its app importing them.

The app that links to an object contributes the links, read through its own scoped selector: its
AppConfig declares ``related = {"matters.matter": "zhili.risks.selectors.risks_of_matter"}``, a
function ``(user, obj) -> Related | None``. The object's page asks ``related_to(user, obj)`` and
includes ``core/_related.html``. So matters shows a matter's risks and disputes, yet matters
imports neither risks nor disputes (they depend on matters, not the other way round).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
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
def providers(label: str) -> tuple[Callable[[Any, Any], Related | None], ...]:
    """The functions contributing to objects of model ``label`` ("matters.matter")."""
    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "related", {}).get(label)
        if path:
            found.append(import_string(path))
    return tuple(found)


def related_to(user: Any, obj: Any) -> list[Related]:
    out = [r for p in providers(obj._meta.label_lower) if (r := p(user, obj)) is not None]
    return sorted(out, key=lambda r: r.order)
