"""The warning queue's rules table: open → assigned → closed (and reopened). Every state change
of a warning is ``WORKFLOW.transition`` in ``services.py``; the nightly run records a new
warning with ``WORKFLOW.record`` (``raise``) and the risk candidate proposed from it
(``propose_risk``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.workflow import Rule, Workflow
from zhili.wages.models import Warning, WarningEvent, WarningStatus

S = WarningStatus

RULES: dict[str, Rule] = {
    "assign": Rule(_("交办"), (S.OPEN, S.ASSIGNED), "change", target=S.ASSIGNED),
    "close": Rule(_("办结"), (S.OPEN, S.ASSIGNED), "close", target=S.CLOSED),
    "reopen": Rule(_("重新打开"), (S.CLOSED,), "close", target=S.OPEN),
}

WORKFLOW = Workflow(
    model=Warning,
    event_model=WarningEvent,
    rules=RULES,
    noun=_("欠薪预警"),
    audit_prefix="wage_warning",
    status_labels={s.value: s.label for s in WarningStatus},
    lock_related=("project",),
    extra_labels={"raise": _("触发预警"), "propose_risk": _("提请风险入库")},
)


def describe(event: Any) -> str:
    d = event.data or {}
    if event.action == "assign":
        return gettext("交办给 %(assignee)s") % {"assignee": d.get("assignee_name", "")}
    if event.action == "propose_risk":
        if d.get("number"):  # before issue 14's candidates: registered directly
            return gettext("已登记风险 %(number)s") % {"number": d["number"]}
        return gettext("已提请风险入库（风险线索：%(candidate)s）") % {
            "candidate": d.get("candidate", "")
        }
    if event.action == "raise":
        return str(d.get("summary", ""))
    return ""


labels.register_describer(WORKFLOW.kind, describe)
