"""Village self-governance's part of the home page's to-do: the 四议两公开 records waiting for
their next step, and the 一事一议 projects waiting for the township's review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.deliberation.models import Deliberation, Project, ProjectStatus, Status

FINISHED = (Status.DONE, Status.WITHDRAWN)


def items(user: Any) -> Iterable[todo.Todo]:
    out = []
    if has_any(user, Deliberation, "change"):
        waiting = Deliberation.objects.visible_to(user).exclude(status__in=FINISHED)
        out.append(
            todo.Todo(gettext("进行中的四议两公开"), waiting.count(), reverse("deliberation:list"))
        )
    if has_any(user, Project, "review"):
        voted = Project.objects.visible_to(user).filter(status=ProjectStatus.VOTED)
        out.append(
            todo.Todo(
                gettext("待乡镇审核的一事一议"), voted.count(), reverse("deliberation:projects")
            )
        )
    return out


todo.register(_("村（居）民自治"), items, order=45)
