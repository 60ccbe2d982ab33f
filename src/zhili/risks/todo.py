"""Risks' part of the home page's to-do: risks past their handling or review deadline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.risks.models import Risk
from zhili.risks.supervision import review_queue


def items(user: Any) -> Iterable[todo.Todo]:
    if not has_any(user, Risk, "change"):
        return []
    n = review_queue(user)[:1000].count()
    return [
        todo.Todo(
            gettext("超期待处理的风险"), n, reverse("risks:queue"), urgent=True, capped=n >= 1000
        )
    ]


todo.register(_("风险"), items, order=20)
