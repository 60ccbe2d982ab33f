"""The points bank's part of the home page's to-do: records waiting for a second person's
approval, and objections to decide."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.points import selectors
from zhili.points.models import Record, RecordStatus


def items(user: Any) -> Iterable[todo.Todo]:
    if not has_any(user, Record, "approve"):
        return []
    url = reverse("points:home")
    waiting = selectors.records(user, status=RecordStatus.RECORDED).exclude(recorded_by=user)
    objected = selectors.records(user, status=RecordStatus.OBJECTED)
    return [
        todo.Todo(gettext("待审核的积分记录"), waiting.count(), url),
        todo.Todo(gettext("有异议的积分记录"), objected.count(), url, urgent=True),
    ]


todo.register(_("积分银行"), items, order=55)
