"""Wage arrears' part of the home page's to-do: the open warnings in the user's area, red ones
first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.wages.models import Severity, Warning, WarningStatus


def items(user: Any) -> Iterable[todo.Todo]:
    if not has_any(user, Warning, "change"):
        return []
    open_ = Warning.objects.visible_to(user).filter(
        status__in=[WarningStatus.OPEN, WarningStatus.ASSIGNED]
    )
    url = reverse("wages:warnings")  # its default: the warnings not closed
    red = open_.filter(severity=Severity.RED).count()
    return [
        todo.Todo(gettext("红色欠薪预警"), red, f"{url}?severity={Severity.RED}", urgent=True),
        todo.Todo(gettext("未办结欠薪预警"), open_.count(), url),
    ]


todo.register(_("根治欠薪"), items, order=50)
