"""The closed loop as a rules table over ``core.workflow.Workflow``: which action starts from which
states and needs which right (each row from its spec in ``actions.py``). The machinery (lock,
404 / 409 / 403, the step, the event, the audit) is core's; this module says what is particular to
matters: the lead unit's staff may act on their matters without the area right, the deadline is
refreshed before each save, the rollups follow each event, and the words a person reads for each
event (labels and the describer)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.i18n import Label
from zhili.core.workflow import Rule, Workflow
from zhili.matters import rollups
from zhili.matters.actions import SPECS
from zhili.matters.deadlines import refresh_due
from zhili.matters.models import (
    STAGE_LABELS,
    Channel,
    HandlingMode,
    Matter,
    MatterEvent,
    MatterUnit,
    Status,
    Triage,
)

RULES: dict[str, Rule] = {name: action.rule for name, action in SPECS.items()}
ACTIONS = tuple(RULES)

# Events recorded outside the table: intake, and what the deadline sweep records (supervision.py).
OTHER_EVENTS = {
    "submit": _("受理登记"),
    "overdue": _("超期"),
    "supervise": _("督办"),
    "escalate": _("升级督办"),
    "contact_overdue": _("联系群众超时"),
}

WORKFLOW = Workflow(
    model=Matter,
    event_model=MatterEvent,
    rules=RULES,
    noun=_("诉求"),
    audit_prefix="matter",
    status_labels=dict(Status.choices),
    lock_related=("category", "area", "lead_unit"),
    extra_labels=OTHER_EVENTS,
    not_found_code="matter_not_found",
    before_save=refresh_due,
    after_event=rollups.record,
)


def allowed_actions(actor: Any, matter: Matter) -> list[str]:
    """What the actor could do now (buttons, the API's ``actions``): the table's answer, less the
    side of the extension that is not open (one request at a time: ask for one, or decide it)."""
    closed = {"extend" if matter.extension_requested_days else "approve_extension"}
    if not (matter.sampled and not matter.spot_check):  # 抽查: only a drawn, unchecked matter
        closed.add("spot_check")
    return [a for a in WORKFLOW.allowed_actions(actor, matter) if a not in closed]


def label(action: str) -> str:
    return str(RULES[action].label)


def transition(
    *,
    actor: Any,
    matter: Matter | int,
    action: str,
    apply: Callable[[Matter, dt.datetime], str | None],
    note: str = "",
    data: dict[str, Any] | None = None,
    attachments: Iterable[Any] | None = None,
    version: int | None = None,
    unit: Any = None,
    at: dt.datetime | None = None,
) -> Matter:
    """``WORKFLOW.transition`` with the event's unit: the unit dispatched to, else the actor's."""
    unit_id = unit.pk if unit is not None else getattr(actor, "unit_id", None)
    result: Matter = WORKFLOW.transition(
        actor=actor,
        obj=matter,
        action=action,
        apply=apply,
        note=note,
        data=data,
        version=version,
        at=at,
        event_fields={"unit_id": unit_id},
        attachments=attachments,
    )
    return result


def set_co_units(matter: Matter, units: list[Any]) -> None:
    MatterUnit.objects.filter(matter=matter).exclude(unit__in=units).delete()
    for u in units:
        if u.pk != matter.lead_unit_id:
            MatterUnit.objects.get_or_create(matter=matter, unit=u)


# What a person reads of an event's details (``event.summary``) -----------------------------------

_TRIAGE_SHORT = {
    Triage.BIG: gettext_lazy("大事"),
    Triage.SMALL: gettext_lazy("小事"),
    Triage.PRIVATE: gettext_lazy("私事"),
}


def _yes_no(value: Any, yes: str, no: str) -> str:
    return yes if value else no


def _stage(data: dict[str, Any]) -> str:
    stage = STAGE_LABELS.get(str(data.get("stage") or ""), "")
    return gettext("%(stage)s环节") % {"stage": stage} if stage else ""


def _notified(data: dict[str, Any]) -> str:
    n = len(data.get("to") or [])
    return gettext("通知 %(n)s 人") % {"n": n} if n else gettext("无人可通知")


def _local(iso: Any) -> str:
    try:
        return timezone.localtime(dt.datetime.fromisoformat(str(iso))).strftime(
            gettext("%m月%d日 %H:%M")
        )
    except ValueError:
        return ""


def describe(e: Any) -> str:
    """The event's ``data`` in words: never a key or a stored code."""
    data: dict[str, Any] = e.data or {}
    a = e.action
    parts: list[Label] = []
    if a == "submit" and data.get("channel") in Channel.values:
        parts.append(gettext("来源：%(Channel)s") % {"Channel": Channel(data["channel"]).label})
    elif a == "mode" and data.get("mode") in HandlingMode.values:
        parts.append(
            gettext("改为%(HandlingMode)s") % {"HandlingMode": HandlingMode(data["mode"]).label}
        )
    elif a == "triage" and data.get("triage") in _TRIAGE_SHORT:
        parts.append(_TRIAGE_SHORT[data["triage"]])
        if data.get("mode") in HandlingMode.values and data["triage"] != Triage.PRIVATE:
            parts.append(
                gettext("按%(HandlingMode)s时限")
                % {"HandlingMode": HandlingMode(data["mode"]).label}
            )
    elif a == "spot_check":
        parts.append(_yes_no(data.get("passed"), gettext("抽查合格"), gettext("抽查不合格")))
    elif a == "dispatch":
        if data.get("unit_name"):
            parts.append(gettext("主办：%(data)s") % {"data": data["unit_name"]})
        if data.get("co_units"):
            parts.append(gettext("另有 %(len)s 个协办单位") % {"len": len(data["co_units"])})
    elif a == "sign" and data.get("contacted"):
        parts.append(gettext("已联系群众"))
    elif a == "verify":
        parts.append(_yes_no(data.get("passed"), gettext("通过"), gettext("不通过，返工")))
    elif a == "rate":
        if data.get("by") == "resident":
            parts.append(gettext("群众在查询页自评"))
        parts.append(_yes_no(data.get("solved"), gettext("已解决"), gettext("未解决")))
        parts.append(_yes_no(data.get("satisfied"), gettext("满意"), gettext("不满意")))
    elif a == "extend" and data.get("days"):
        parts.append(gettext("%(data)s 个工作日") % {"data": data["days"]})
    elif a == "approve_extension":
        parts.append(_yes_no(data.get("approved"), gettext("批准"), gettext("不批准")))
    elif a == "place" and data.get("to_name"):
        parts.append(f"{data.get('from_name') or ''} → {data['to_name']}".strip())
    elif a == "merge" and data.get("into"):
        parts.append(gettext("并入 %(data)s") % {"data": data["into"]})
    elif a == "overdue":
        parts.append(_stage(data))
        if data.get("due_at"):
            parts.append(gettext("时限 %(_local)s") % {"_local": _local(data["due_at"])})
    elif a in ("supervise", "escalate"):
        parts.append(_stage(data))
        if a == "escalate" and data.get("level"):
            parts.append(gettext("第 %(level)s 级") % {"level": data["level"]})
        if data.get("unit_name"):
            parts.append(gettext("主办：%(data)s") % {"data": data["unit_name"]})
        parts.append(_notified(data))
    elif a == "contact_overdue":
        if data.get("contact_due"):
            parts.append(gettext("联系时限 %(_local)s") % {"_local": _local(data["contact_due"])})
        parts.append(_notified(data))
    return gettext("，").join(str(p) for p in parts if p)


# The clock's events (supervision.py) keep a note in the language the worker ran in; pages show
# these words instead, in the reader's language.
labels.register_describer(
    WORKFLOW.kind,
    describe,
    system_notes={"overdue", "supervise", "escalate", "contact_overdue"},
)
labels.register_audit({"matter.create": _("诉求 · 受理登记")})
