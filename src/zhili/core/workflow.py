"""The one transition: every state change of every module goes through ``Workflow.transition``.

A module declares its rules table (action -> ``Rule``) and one ``Workflow`` over its model and its
event model; its services call ``transition`` with a function that applies the step to the locked
row. In one transaction ``transition``:

1. locks the row (``select_for_update``, with the related rows the step reads);
2. answers 404 when the row is out of the actor's scope (its existence is not revealed);
3. answers 409 when the caller's ``version`` is stale, or the action is not allowed from the state;
4. answers 403 when the actor holds neither the rule's permission nor the rule's other right
   (``also``: the lead unit's staff, the assigned mediator), or when a guard refuses (``guard``:
   a mediator who is a party);
5. applies the step, bumps ``version``, saves, appends the event, runs the module's hook
   (rollups) and writes the audit record.

Pages and the API list the allowed actions with ``allowed_actions`` from the same table, so a button
is shown exactly when the service would accept it (up to the step's own input checks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core import labels
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from zhili.core.scoping import can, object_path

Check = Callable[[Any, Any], bool]
Guard = Callable[[Any, Any], str | None]
InputCheck = Callable[[Any, Any, Any], str | None]


@dataclass(frozen=True)
class Rule:
    """One row of a rules table."""

    label: Any  # what the action is called ("立案"), translatable
    sources: tuple[str, ...]  # states the action may start from
    permission: str  # the action in "<app>.<model>.<permission>"
    target: str | None = None  # the state after the step, when it is fixed
    also: Check | None = None  # another way to hold the right (actor, obj) -> bool
    guard: Guard | None = None  # a refusal despite the right: (actor, obj) -> reason or None
    only_also: bool = False  # the area permission alone is not enough: ``also`` must hold
    # A refusal of the step's input (a quorum, a threshold): (actor, obj, facts) -> reason or
    # None, run by ``transition`` after the rights and guard with the caller's ``facts``; a
    # refusal answers 422 (the input was wrong, not the right). Buttons do not know the input.
    check_input: InputCheck | None = None
    system: bool = False  # recorded by the system (sweeps); never a button


@dataclass
class Workflow:
    """A rules table over one model and its event model."""

    model: type[models.Model]
    event_model: type[models.Model]
    rules: Mapping[str, Rule]
    noun: Any  # "诉求", for messages
    audit_prefix: str  # "matter" -> audit action "matter.accept"
    status_labels: Mapping[str, Any] = field(default_factory=dict)
    lock_related: tuple[str, ...] = ()  # select_related of the locked row
    extra_labels: Mapping[str, Any] = field(default_factory=dict)  # events outside the table
    not_found_code: str = ""
    # Hooks: before the save (deadlines), after the event (rollups).
    before_save: Callable[[Any, dt.datetime], None] | None = None
    after_event: Callable[[Any, Any], None] | None = None

    def __post_init__(self) -> None:
        kind = self.event_model._meta.label_lower
        labels.register_actions(kind, {a: r.label for a, r in self.rules.items()})
        labels.register_actions(kind, self.extra_labels)
        if self.status_labels:
            labels.register_statuses(kind, self.status_labels)
        labels.register_audit({}, prefix=self.audit_prefix, noun=self.noun, kind=kind)
        self.subject = getattr(self.event_model, "subject_field", "")
        if not self.subject:
            raise TypeError(f"{self.event_model.__name__}.subject_field is not set")
        self.not_found_code = self.not_found_code or f"{self.model._meta.model_name}_not_found"

    @property
    def kind(self) -> str:
        return self.event_model._meta.label_lower

    # -- rights ---------------------------------------------------------------------------------

    def may(self, actor: Any, action: str, obj: Any) -> bool:
        """Does the actor hold the right to ``action`` on ``obj`` (state and guard aside)?"""
        rule = self.rules[action]
        also = bool(rule.also and rule.also(actor, obj))
        if rule.only_also:
            return also or bool(getattr(actor, "is_superuser", False))
        return also or can(actor, rule.permission, self.model, object_path(obj))

    def refusal(self, actor: Any, action: str, obj: Any) -> str | None:
        rule = self.rules[action]
        return rule.guard(actor, obj) if rule.guard else None

    def allowed_actions(self, actor: Any, obj: Any) -> list[str]:
        """What the actor could do now (for buttons); ``transition`` checks again."""
        status = getattr(obj, "status")  # noqa: B009
        return [
            a
            for a, r in self.rules.items()
            if not r.system
            and status in r.sources
            and self.may(actor, a, obj)
            and self.refusal(actor, a, obj) is None
        ]

    def buttons(self, actor: Any, obj: Any) -> list[tuple[str, str]]:
        return [(a, str(self.rules[a].label)) for a in self.allowed_actions(actor, obj)]

    # -- the transition -------------------------------------------------------------------------

    def lock(self, obj: Any) -> Any:
        pk = obj.pk if isinstance(obj, models.Model) else obj
        manager: Any = self.model._default_manager
        qs = (
            manager.select_for_update(of=("self",))
            if self.lock_related
            else manager.select_for_update()
        )
        if self.lock_related:  # select_related() with no names would follow every relation
            qs = qs.select_related(*self.lock_related)
        found = qs.filter(pk=pk).first()
        if found is None:
            raise NotFound(
                gettext("%(noun)s不存在") % {"noun": self.noun}, code=self.not_found_code
            )
        return found

    def check(self, actor: Any, action: str, obj: Any, *, version: int | None = None) -> None:
        """404 / 409 / 403 for ``action`` on the (locked) ``obj``, in that order."""
        rule = self.rules[action]
        manager: Any = self.model._default_manager
        # Whom the rule names in ``also`` may act on what it names (a resident on their own
        # matter, proven without an account); everyone else must see the object.
        named = bool(rule.also and rule.also(actor, obj))
        if not named and not manager.visible_to(actor).filter(pk=obj.pk).exists():
            raise NotFound(
                gettext("%(noun)s不存在或不在您的管辖范围内") % {"noun": self.noun},
                code=self.not_found_code,
            )
        status = obj.status
        status_label = str(self.status_labels.get(status, status))
        if version is not None and int(version) != obj.version:
            raise Conflict(
                gettext("该%(noun)s已被他人更新（当前状态：%(status_label)s），请刷新后再操作")
                % {"noun": self.noun, "status_label": status_label},
                code="version_conflict",
                detail={"current_version": obj.version, "status": status},
            )
        if status not in rule.sources:
            raise Conflict(
                gettext("当前状态为“%(status_label)s”，不能%(label)s")
                % {"status_label": status_label, "label": rule.label},
                code="illegal_transition",
                detail={"status": status, "action": action, "allowed_from": list(rule.sources)},
            )
        if not self.may(actor, action, obj):
            raise PermissionDenied(
                gettext("您无权对该%(noun)s执行“%(label)s”")
                % {"noun": self.noun, "label": rule.label},
                code="forbidden",
            )
        reason = self.refusal(actor, action, obj)
        if reason:
            raise PermissionDenied(reason, code="refused")

    def transition(
        self,
        *,
        actor: Any,
        obj: Any,
        action: str,
        apply: Callable[[Any, dt.datetime], str | None] | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
        version: int | None = None,
        at: dt.datetime | None = None,
        event_fields: dict[str, Any] | None = None,
        attachments: Iterable[Any] | None = None,
        facts: Any = None,
    ) -> Any:
        """Run one action. ``apply(obj, now)`` changes the locked object and may return the new
        status (otherwise the rule's ``target``, otherwise the status stays). ``facts``: the
        step's input, for the rule's ``check_input`` (refused with 422 and its reason)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("transition must run inside a transaction")
        rule = self.rules[action]
        locked = self.lock(obj)
        self.check(actor, action, locked, version=version)
        if rule.check_input is not None:
            reason = rule.check_input(actor, locked, facts)
            if reason:
                raise ValidationFailed(reason, code="refused_input", detail={"action": action})
        now = at or timezone.now()
        before = locked.status
        new_status = apply(locked, now) if apply else None
        locked.status = new_status or rule.target or locked.status
        if self.before_save:
            self.before_save(locked, now)
        locked.version += 1
        locked.save()
        self.record(
            actor=actor,
            obj=locked,
            action=action,
            before=before,
            note=note,
            data=data,
            at=now,
            event_fields=event_fields,
            attachments=attachments,
        )
        return locked

    def record(
        self,
        *,
        actor: Any,
        obj: Any,
        action: str,
        before: str | None = None,
        note: str = "",
        data: dict[str, Any] | None = None,
        at: dt.datetime | None = None,
        event_fields: dict[str, Any] | None = None,
        attachments: Iterable[Any] | None = None,
        audit: bool = True,
    ) -> Any:
        """Append one event (and its audit record) for an object already locked and saved by the
        caller: the transition's own tail, and the way sweeps record what the clock did."""
        now = at or timezone.now()
        before = obj.status if before is None else before
        event = self.event_row(
            actor=actor,
            obj=obj,
            action=action,
            before=before,
            note=note,
            data=data,
            at=now,
            event_fields=event_fields,
        )
        event.save(force_insert=True)
        if attachments:
            getattr(event, "attachments").set(attachments)  # noqa: B009
        if self.after_event:
            self.after_event(obj, event)
        if audit:
            fields = self.audit_fields(
                actor=actor, obj=obj, action=action, before=before, note=note, data=data
            )
            audit_record(**fields)
        return event

    def event_row(
        self,
        *,
        actor: Any,
        obj: Any,
        action: str,
        before: str,
        at: dt.datetime,
        note: str = "",
        data: dict[str, Any] | None = None,
        event_fields: dict[str, Any] | None = None,
    ) -> Any:
        """The event ``record`` appends, unsaved (a bulk loader writes many at once)."""
        if action not in labels.actions(self.kind):
            raise KeyError(f"{self.kind}: action {action!r} has no label")
        fields = {
            self.subject: obj,
            "action": action,
            "from_status": before,
            "to_status": obj.status,
            "actor": actor if getattr(actor, "pk", None) else None,
            "actor_name": getattr(actor, "username", "") or "system",
            "at": at,
            "note": note,
            "data": data or {},
        }
        # The event model's own fields (a unit), or a name for an actor without an account
        # (``actor_name="群众"`` for a resident's report).
        fields.update(event_fields or {})
        return self.event_model(**fields)

    def audit_fields(
        self,
        *,
        actor: Any,
        obj: Any,
        action: str,
        before: str,
        note: str = "",
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The audit record of a step (``core.audit.audit_record``'s arguments)."""
        return {
            "actor": actor,
            "action": f"{self.audit_prefix}.{action}",
            "obj": obj,
            "area_path": object_path(obj),
            "before": {"status": before},
            "after": {"status": obj.status, **(data or {})},
            "note": note,
        }
