"""The dispute case's rules table: who may do what from which state, on the core workflow.

Two kinds of right act on a case:
- the **assigned mediator** (``Rule.also``): the mediator the case is assigned to, while they hold
  ``mediate`` over its area. Sessions and the agreement are theirs alone (``only_also``): the
  session record and the agreement carry the mediator's name, so nobody records them in their
  place — an area ``mediate`` grant only lets its holder mediate the cases assigned to them;
- the **supervisor**: ``change`` over the area (the street's 综治中心, the district) routes the
  case and keeps its file — assignment, extension, failure, confirmation, closure, follow-up.

Whoever acts, a person who is a party or is related to a party must recuse (回避): the conflict of
interest is a guard on every action, checked on the locked case at the moment of the action, so a
party added after the assignment stops the mediator too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.scoping import can
from zhili.core.workflow import Rule, Workflow
from zhili.disputes.models import Channel, Dispute, DisputeEvent, Party, Status

S = Status
OPEN = (S.REGISTERED, S.MEDIATING)


def is_assigned_mediator(actor: Any, d: Dispute) -> bool:
    pk = getattr(actor, "pk", None)
    return pk is not None and d.mediator_id == pk and can(actor, "mediate", Dispute, d.area_path)


def relation_to_parties(d: Dispute, person: Any) -> str | None:
    """How ``person`` stands to the case's parties (None: unrelated). One query for the parties and
    one for the declared relations, remembered on the instance for the request."""
    pk = getattr(person, "pk", None)
    if pk is None:
        return None
    cache: dict[int, str | None] = d.__dict__.setdefault("_relations", {})
    if pk in cache:
        return cache[pk]
    related = set(
        Party.related_staff.through.objects.filter(party__dispute=d, user_id=pk).values_list(
            "party_id", flat=True
        )
    )
    name = (getattr(person, "full_name", "") or "").strip()
    phone = (getattr(person, "phone", "") or "").strip()
    found: str | None = None
    for p in Party.objects.filter(dispute=d).only("id", "name", "phone"):
        if p.pk in related:
            found = gettext("与当事人 %(name)s 有亲属或利害关系") % {"name": p.name}
            break
        same_name = bool(name) and p.name == name
        same_phone = bool(phone) and p.phone == phone
        if same_phone or (same_name and (not p.phone or not phone)):
            found = gettext("是本案当事人")
            break
    cache[pk] = found
    return found


def recusal(actor: Any, d: Dispute) -> str | None:
    """The guard of every action: a party, or a person related to one, must recuse."""
    relation = relation_to_parties(d, actor)
    return (
        gettext("您%(relation)s，应当回避，不能办理本案") % {"relation": relation}
        if relation
        else None
    )


def _mediator(label: Any, sources: tuple[str, ...], target: str | None = None) -> Rule:
    return Rule(
        label,
        sources,
        "mediate",
        target=target,
        also=is_assigned_mediator,
        only_also=True,
        guard=recusal,
    )


def _file(label: Any, sources: tuple[str, ...], target: str | None = None) -> Rule:
    return Rule(label, sources, "change", target=target, also=is_assigned_mediator, guard=recusal)


RULES: dict[str, Rule] = {
    "assign": Rule(_("指派调解员"), OPEN, "change", target=S.MEDIATING, guard=recusal),
    "session": _mediator(_("记录调解"), (S.MEDIATING,)),
    "extend": _file(_("延长调解期限"), OPEN),
    "agree": _mediator(_("达成协议"), (S.MEDIATING,), target=S.AGREED),
    "fail": _file(_("调解不成"), OPEN, target=S.FAILED),
    "confirm": _file(_("记录司法确认"), (S.AGREED,)),
    "close": _file(_("结案"), (S.AGREED,), target=S.CLOSED),
    "follow_up": _file(_("回访"), (S.CLOSED, S.FAILED)),
    "escalation": _file(_("标记激化迹象"), (S.REGISTERED, S.MEDIATING, S.AGREED, S.FAILED)),
}
ACTIONS = tuple(RULES)
COURT = (Channel.COURT_ASSIGNED, Channel.COURT_ENTRUSTED)

WORKFLOW = Workflow(
    model=Dispute,
    event_model=DisputeEvent,
    rules=RULES,
    noun=_("纠纷案件"),
    audit_prefix="dispute",
    status_labels=dict(Status.choices),
    lock_related=("area",),
    extra_labels={"register": _("登记")},
)


def allowed_actions(actor: Any, d: Dispute) -> list[str]:
    """The table's answer, less the extension outside 诉调对接 (30 + 30 days is the court's
    practice; ``dispute_extend`` refuses it for other channels)."""
    return [a for a in WORKFLOW.allowed_actions(actor, d) if a != "extend" or d.channel in COURT]


def buttons(actor: Any, d: Dispute) -> list[tuple[str, str]]:
    return [(a, str(RULES[a].label)) for a in allowed_actions(actor, d)]


# -- what an event's details say --------------------------------------------------------------


def _date(value: Any) -> str:
    return str(value or "")[:10]


def _local_time(value: Any) -> str:
    """An ISO time stored in ``data`` (UTC) as the local "YYYY-MM-DD HH:MM" the page shows."""
    try:
        at = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")[:16].replace("T", " ")
    if timezone.is_aware(at):
        at = timezone.localtime(at)
    return at.strftime("%Y-%m-%d %H:%M")


def describe(event: Any) -> str:
    """A Chinese sentence from ``event.data`` (older rows may lack some keys)."""
    data = event.data or {}
    action = event.action
    if action == "register":
        channel = dict(Channel.choices).get(data.get("channel", ""), "")
        days, hours = data.get("days"), data.get("hours")
        limit = (
            gettext("调解期限 %(days)s 天") % {"days": days}
            if days
            else (gettext("%(hours)s 小时内反馈") % {"hours": hours} if hours else "")
        )
        parts = [
            gettext("来源：%(channel)s") % {"channel": channel} if channel else "",
            limit,
            gettext("复杂案件") if data.get("complex_case") else "",
            gettext("双方当事人同意调解") if data.get("parties_consent") else "",
        ]
        return "，".join(p for p in parts if p)
    if action == "assign":
        mediator = data.get("mediator_name") or data.get("mediator") or ""
        committee = data.get("committee") or ""
        return (
            gettext("由%(committee)s调解员 %(mediator)s 调解")
            % {"committee": committee, "mediator": mediator}
            if mediator
            else ""
        )
    if action == "session":
        at = _local_time(data["at"]) if data.get("at") else ""
        place = data.get("place") or ""
        return "，".join(
            p
            for p in (
                gettext("调解时间 %(at)s") % {"at": at} if at else "",
                gettext("地点：%(place)s") % {"place": place} if place else "",
            )
            if p
        )
    if action == "extend" and data.get("days"):
        due = gettext("，至 %(date)s") % {"date": _date(data["due"])} if data.get("due") else ""
        return gettext("调解期限延长 %(days)s 天%(due)s") % {"days": data["days"], "due": due}
    if action == "agree" and data.get("confirmation_due"):
        return gettext("司法确认申请期限至 %(date)s") % {"date": _date(data["confirmation_due"])}
    if action == "fail" and data.get("returned_to"):
        return gettext("退回：%(returned_to)s") % {"returned_to": gettext(data["returned_to"])}
    if action == "confirm" and data.get("on"):
        applied = (
            gettext("，当事人 %(date)s 申请") % {"date": _date(data["applied_on"])}
            if data.get("applied_on")
            else ""
        )
        return gettext("司法确认日期 %(date)s%(applied)s") % {
            "date": _date(data["on"]),
            "applied": applied,
        }
    if action == "escalation" and data.get("candidate"):
        return gettext("已作为风险线索提交研判")
    return ""


labels.register_describer(WORKFLOW.kind, describe)
