"""Matters' part of the home page's to-do: the queues the user works, with their counts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.matters import selectors
from zhili.matters.models import Matter

# The right a queue's work needs ("unit": staff of a unit, who act on what is dispatched to it).
WORK = {
    "intake": "accept",
    "place": "dispatch",
    "dispatch": "dispatch",
    "sign": "unit",
    "handle": "unit",
    "verify": "verify",
    "close": "close",
    "callback": "rate",
    "extension": "approve",
    "overdue": "view",
}
CAP = 1000


def _works(user: Any, right: str) -> bool:
    if right == "unit":  # a unit that matters are dispatched to (not every unit is one)
        unit_id = getattr(user, "unit_id", None)
        if unit_id and Matter.objects.filter(lead_unit_id=unit_id).exists():
            return True
        return has_any(user, Matter, "handle")
    return has_any(user, Matter, right)


def items(user: Any) -> Iterable[todo.Todo]:
    keys = [k for k, right in WORK.items() if _works(user, right)]
    if not keys:
        return []
    base = selectors.matter_visible(user)
    url = reverse("matters:queue")
    out = []
    for key in keys:
        n = selectors.apply_queue(user, base, key)[:CAP].count()
        out.append(
            todo.Todo(
                selectors.QUEUES[key],
                n,
                f"{url}?queue={key}",
                urgent=key == "overdue",
                capped=n >= CAP,
            )
        )
    return out


todo.register(gettext_lazy("诉求"), items, order=10)
