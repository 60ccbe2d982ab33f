"""Targets' part of the home page's to-do: reports waiting for the user's review, and the user's
own reports that were returned or are past their milestone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.targets import selectors
from zhili.targets.models import PlanStatus, Report, ReportStatus


def items(user: Any) -> Iterable[todo.Todo]:
    out = []
    if has_any(user, Report, "review"):
        n = len(selectors.review_queue(user))
        out.append(todo.Todo(gettext("待审核的进展报告"), n, reverse("targets:review_queue")))
    if has_any(user, Report, "submit"):
        own = Report.objects.visible_to(user).filter(plan__status=PlanStatus.ACTIVE)
        returned = own.filter(status=ReportStatus.RETURNED).count()
        late = own.filter(
            status__in=[ReportStatus.PENDING, ReportStatus.RETURNED],
            milestone__due__lt=timezone.localdate(),
        ).count()
        out.append(todo.Todo(gettext("被退回待重报"), returned, reverse("targets:plans")))
        out.append(todo.Todo(gettext("逾期未报送"), late, reverse("targets:late"), urgent=True))
    return out


todo.register(_("目标任务"), items, order=40)
