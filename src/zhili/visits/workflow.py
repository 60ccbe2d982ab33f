"""The visit's rules table: planned → done (recorded by its cadre or the street) / missed.

Residents met, demands and the matters they become are appended to the visit's history with
``WORKFLOW.record`` (no change of state); every change of state is ``WORKFLOW.transition``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.workflow import Rule, Workflow
from zhili.visits.models import Status, Visit, VisitEvent

S = Status


def is_cadre(actor: Any, visit: Visit) -> bool:
    return bool(getattr(actor, "pk", None)) and actor.pk == visit.cadre_id


RULES: dict[str, Rule] = {
    "record": Rule(_("记录走访"), (S.PLANNED,), "record", target=S.DONE, also=is_cadre),
    "miss": Rule(_("标记未走访"), (S.PLANNED,), "change", target=S.MISSED),
}

WORKFLOW = Workflow(
    model=Visit,
    event_model=VisitEvent,
    rules=RULES,
    noun=_("走访"),
    audit_prefix="visit",
    status_labels={s.value: s.label for s in Status},
    lock_related=("building",),
    extra_labels={
        "schedule": _("安排走访"),
        "resident": _("登记走访群众"),
        "demand": _("登记诉求"),
        "to_matter": _("诉求转为事项"),
    },
)

DESCRIBERS: dict[str, Any] = {
    "schedule": lambda d: f"{d.get('building_name', '')}，{d.get('date', '')}",
    "record": lambda d: (
        gettext("走访日期 %(visited_on)s") % {"visited_on": d.get("visited_on", "")}
    ),
    "miss": lambda d: (
        gettext("原因：%(reason)s") % {"reason": d.get("reason", "")} if d.get("reason") else ""
    ),
    "resident": lambda d: gettext("第 %(count)s 位群众") % {"count": d.get("count", "")},
    "demand": lambda d: gettext("诉求：%(text)s") % {"text": d.get("text", "")},
    "to_matter": lambda d: (
        gettext("已转为诉求 %(number)s（渠道：楼栋工作日）") % {"number": d.get("number", "")}
    ),
}


def describe(event: VisitEvent) -> str:
    describer = DESCRIBERS.get(event.action)
    return describer(event.data or {}) if describer and event.data else ""


labels.register_describer(WORKFLOW.kind, describe)
