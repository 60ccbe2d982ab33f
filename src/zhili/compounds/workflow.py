"""A follow-up task's rules table: open → done (by its compound's street or community)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.compounds.models import FollowUp, FollowUpEvent, FollowUpStatus
from zhili.core import labels
from zhili.core.workflow import Rule, Workflow

S = FollowUpStatus

RULES: dict[str, Rule] = {
    "complete": Rule(_("完成任务"), (S.OPEN,), "complete", target=S.DONE),
    "reopen": Rule(_("重新打开"), (S.DONE,), "change", target=S.OPEN),
}

WORKFLOW = Workflow(
    model=FollowUp,
    event_model=FollowUpEvent,
    rules=RULES,
    noun=_("会议任务"),
    audit_prefix="followup",
    status_labels={s.value: s.label for s in FollowUpStatus},
    lock_related=("owner",),
    extra_labels={"create": _("布置任务")},
)

DESCRIBERS: dict[str, Any] = {
    "create": lambda d: (
        gettext("%(owner)s，%(due)s 前完成")
        % {"owner": d.get("owner", ""), "due": d.get("due", "")}
    ),
    "complete": lambda d: d.get("result", ""),
}


def describe(event: FollowUpEvent) -> str:
    describer = DESCRIBERS.get(event.action)
    return describer(event.data or {}) if describer and event.data else ""


labels.register_describer(WORKFLOW.kind, describe)
