"""Each role's to-do on the home page: counts that link to the queues where the work is.

Apps contribute a provider in their ``todo.py`` (discovered when core starts, like ``labels.py``):
``register(section, provider)`` where ``provider(user)`` returns the ``Todo`` rows for that user —
counts from the module's own scoped selectors, only for the queues the user works (a row the
user has no right to act on is not a to-do). Providers must be cheap: one indexed count per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zhili.core.i18n import Label


@dataclass(frozen=True)
class Todo:
    label: Label
    count: int
    url: str
    urgent: bool = False  # overdue, warnings: shown in red when not zero
    capped: bool = False  # the count stopped at its cap ("999+")


Provider = Callable[[Any], Iterable[Todo]]
_PROVIDERS: list[tuple[int, Label, Provider]] = []


def register(section: Label, provider: Provider, *, order: int = 100) -> None:
    """Add a section of the home page's to-do (e.g. "诉求") filled by ``provider``."""
    if any(name == section for _, name, _ in _PROVIDERS):
        return  # autodiscovery may import a module twice (tests)
    _PROVIDERS.append((order, section, provider))
    _PROVIDERS.sort(key=lambda t: (t[0], t[1]))


def todos_for(user: Any) -> list[dict[str, Any]]:
    """[{"section": "诉求", "items": [Todo, ...], "total": n}, ...] for the sections with rows."""
    out = []
    for _, section, provider in _PROVIDERS:
        items = list(provider(user))
        if items:
            out.append({"section": section, "items": items, "total": sum(i.count for i in items)})
    return out
