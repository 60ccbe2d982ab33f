"""Disputes' part of the home page's to-do: the mediator's own cases, and the queues of the
people who run mediation in an area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.disputes import selectors
from zhili.disputes.models import Dispute, Status

OPEN = [Status.REGISTERED, Status.MEDIATING]


def items(user: Any) -> Iterable[todo.Todo]:
    out = []
    if has_any(user, Dispute, "mediate"):
        mine = selectors.dispute_list(user, queue="mine").filter(status__in=OPEN).count()
        out.append(todo.Todo(gettext("我调解中的纠纷"), mine, reverse("disputes:mine")))
    if has_any(user, Dispute, "change"):
        url = reverse("disputes:list")
        for key, label, urgent in (
            ("overdue", gettext("超期未结"), True),
            ("confirmation", gettext("待司法确认"), False),
            ("follow_up", gettext("待回访"), False),
        ):
            n = selectors.dispute_list(user, queue=key)[:1000].count()
            out.append(todo.Todo(label, n, f"{url}?queue={key}", urgent=urgent))
    return out


todo.register(_("矛盾纠纷"), items, order=30)
