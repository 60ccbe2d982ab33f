"""Targets' part of the home page's to-do: reports waiting for the user's review, and the user's
own reports that were returned or are past their milestone."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import todo
from zhili.core.scoping import has_any
from zhili.targets import selectors
from zhili.targets.models import PlanStatus, Report, ReportStatus, own_unit_id


def items(user: Any) -> Iterable[todo.Todo]:
    out = []
    if has_any(user, Report, "review"):
        n = len(selectors.review_queue(user))
        out.append(todo.Todo(gettext("待审核的进展报告"), n, reverse("targets:review_queue")))
    if has_any(user, Report, "submit") or own_unit_id(user, Report, "submit") is not None:
        returned = (
            Report.objects.visible_to(user, "submit")
            .filter(plan__status=PlanStatus.ACTIVE, status=ReportStatus.RETURNED)
            .count()
        )
        late, plans = selectors.overdue_unsubmitted(user)
        url = reverse("targets:late")
        if len(plans) == 1:  # the warnings page of that plan, its overdue rows
            url = reverse("targets:late_plan", args=[plans[0].pk]) + "?state=overdue"
        out.append(todo.Todo(gettext("被退回待重报"), returned, reverse("targets:plans")))
        out.append(todo.Todo(gettext("逾期未报送"), late, url, urgent=True))
    return out


todo.register(_("目标任务"), items, order=40)
