"""The closed loop as an explicit transition table. Every action is a service in services.py that
goes through ``transition``: lock the matter, check the table, the actor's right and the version,
write the new state and append one immutable event, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied
from zhili.core.scoping import can
from zhili.matters import rollups
from zhili.matters.deadlines import refresh_due
from zhili.matters.models import Matter, MatterEvent, MatterUnit, Status

S = Status


@dataclass(frozen=True)
class Rule:
    label: str
    sources: tuple[str, ...]
    permission: str  # the action in "matters.matter.<permission>"
    unit_may: bool = False  # staff of the lead unit may act without the area permission


RULES: dict[str, Rule] = {
    "accept": Rule("立案", (S.SUBMITTED,), "accept"),
    "reject": Rule("不予立案", (S.SUBMITTED,), "accept"),
    "triage": Rule("三事分流", (S.SUBMITTED, S.ACCEPTED, S.RETURNED), "triage"),
    "dispatch": Rule("派遣", (S.ACCEPTED, S.RETURNED), "dispatch"),
    "sign": Rule("签收", (S.DISPATCHED,), "handle", unit_may=True),
    "return": Rule("退单", (S.DISPATCHED,), "handle", unit_may=True),
    "report": Rule("处置反馈", (S.HANDLING,), "handle", unit_may=True),
    "verify": Rule("核查", (S.REPORTED,), "verify"),
    "close": Rule("结案", (S.VERIFIED,), "close"),
    "rate": Rule("回访评价", (S.CLOSED,), "rate"),
    "reopen": Rule("重新办理", (S.CLOSED, S.RATED), "reopen"),
    "extend": Rule("申请延期", (S.DISPATCHED, S.HANDLING), "handle", unit_may=True),
    "approve_extension": Rule("审批延期", (S.DISPATCHED, S.HANDLING), "approve"),
    "suspend": Rule("挂起", (S.ACCEPTED, S.RETURNED, S.DISPATCHED, S.HANDLING), "suspend"),
    "resume": Rule("恢复办理", (S.SUSPENDED,), "suspend"),
    "merge": Rule("并单", (S.SUBMITTED, S.ACCEPTED), "merge"),
    "self_handle": Rule("自行处置", (S.SUBMITTED,), "self_handle"),
}
ACTIONS = tuple(RULES)


def is_unit_staff(actor: Any, matter: Matter) -> bool:
    unit_id = getattr(actor, "unit_id", None)
    return bool(unit_id) and unit_id == matter.lead_unit_id


def may(actor: Any, action: str, matter: Matter) -> bool:
    rule = RULES[action]
    if can(actor, rule.permission, Matter, matter.area_path):
        return True
    return rule.unit_may and is_unit_staff(actor, matter)


def allowed_actions(actor: Any, matter: Matter) -> list[str]:
    """What the actor could do now (for buttons); the services check again."""
    return [a for a, r in RULES.items() if matter.status in r.sources and may(actor, a, matter)]


def _lock(matter: Matter | int) -> Matter:
    pk = matter.pk if isinstance(matter, Matter) else matter
    found = (
        Matter.objects.select_for_update(of=("self",))
        .select_related("category", "area", "lead_unit")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("诉求不存在", code="matter_not_found")
    return found


def transition(
    *,
    actor: Any,
    matter: Matter | int,
    action: str,
    apply: Callable[[Matter, dt.datetime], str | None],
    note: str = "",
    data: dict[str, Any] | None = None,
    attachments: list[Any] | None = None,
    version: int | None = None,
    unit: Any = None,
    at: dt.datetime | None = None,
) -> Matter:
    """Run one action. ``apply`` changes the locked matter and returns the new status (or None to
    keep it)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition must run inside a transaction")
    rule = RULES[action]
    m = _lock(matter)
    if not Matter.objects.visible_to(actor).filter(pk=m.pk).exists():
        raise NotFound("诉求不存在或不在您的管辖范围内", code="matter_not_found")
    if version is not None and version != m.version:
        raise Conflict(
            f"该诉求已被他人更新（当前状态：{m.get_status_display()}），请刷新后再操作",
            code="version_conflict",
            detail={"current_version": m.version, "status": m.status},
        )
    if m.status not in rule.sources:
        raise Conflict(
            f"当前状态为“{m.get_status_display()}”，不能{rule.label}",
            code="illegal_transition",
            detail={"status": m.status, "action": action, "allowed_from": list(rule.sources)},
        )
    if not may(actor, action, m):
        raise PermissionDenied(f"您没有{rule.label}该诉求的权限", code="forbidden")
    now = at or timezone.now()
    before = m.status
    new_status = apply(m, now)
    if new_status:
        m.status = new_status
    refresh_due(m, now)
    m.version += 1
    m.save()
    event = MatterEvent.objects.create(
        matter=m,
        action=action,
        from_status=before,
        to_status=m.status,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        unit=unit or getattr(actor, "unit", None),
        at=now,
        note=note,
        data=data or {},
    )
    if attachments:
        event.attachments.set(attachments)
    rollups.record(m, event)
    audit_record(
        actor=actor,
        action=f"matter.{action}",
        obj=m,
        area_path=m.area_path,
        before={"status": before},
        after={"status": m.status, **(data or {})},
        note=note,
    )
    return m


def set_co_units(matter: Matter, units: list[Any]) -> None:
    MatterUnit.objects.filter(matter=matter).exclude(unit__in=units).delete()
    for u in units:
        if u.pk != matter.lead_unit_id:
            MatterUnit.objects.get_or_create(matter=matter, unit=u)
