"""Disputes' part of the home page's to-do: the mediator's own cases, and the queues of the
people who run mediation in an area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.disputes import selectors
from zhili.disputes.models import Dispute, Status

OPEN = [Status.REGISTERED, Status.MEDIATING]


def items(user: Any) -> Iterable[todo.Todo]:
    out = []
    if has_any(user, Dispute, "mediate"):
        mine = selectors.dispute_list(user, queue="mine").filter(status__in=OPEN).count()
        out.append(todo.Todo("我调解中的纠纷", mine, reverse("disputes:mine")))
    if has_any(user, Dispute, "change"):
        url = reverse("disputes:list")
        for key, label, urgent in (
            ("overdue", "超期未结", True),
            ("confirmation", "待司法确认", False),
            ("follow_up", "待回访", False),
        ):
            n = selectors.dispute_list(user, queue=key)[:1000].count()
            out.append(todo.Todo(label, n, f"{url}?queue={key}", urgent=urgent))
    return out


todo.register("矛盾纠纷", items, order=30)
