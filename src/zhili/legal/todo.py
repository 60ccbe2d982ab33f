"""The legal adviser's part of the home page's to-do: reviews waiting for their opinion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.legal import selectors
from zhili.legal.models import ReviewStatus


def items(user: Any) -> Iterable[todo.Todo]:
    adviser = getattr(user, "legal_adviser", None) if getattr(user, "pk", None) else None
    if adviser is None:
        return []
    waiting = selectors.review_list(user).filter(adviser=adviser, status=ReviewStatus.REQUESTED)
    return [todo.Todo(gettext("待我审查的事项"), waiting.count(), reverse("legal:reviews"))]


todo.register(_("法律顾问"), items, order=60)
