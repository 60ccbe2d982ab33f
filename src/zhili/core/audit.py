"""Writing the audit trail. Services call ``audit_record`` inside their own transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.conf import settings
from django.db import models, transaction

from zhili.core import context
from zhili.core.models import AuditEvent


def root_path() -> str:
    return f"{settings.ZHILI_ROOT_CODE}/"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited state of an object: its concrete fields (foreign keys as ids), JSON-ready."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    skip = {"password"}
    return {n: _plain(getattr(obj, n)) for n in names if n not in skip}


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict, dict]:
    """Keep only the keys that changed, so the history shows what moved."""
    if not before or not after:
        return before or {}, after or {}
    keys = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    area_path: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """Append one audit event; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the service's transaction")
    event = audit_event(
        actor=actor,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        area_path=area_path,
        before=before,
        after=after,
        note=note,
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    area_path: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEvent:
    """The audit event ``audit_record`` appends, unsaved: bulk loaders write many at once (their
    caller checks the transaction)."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:255]
    ctx = context.current()
    actor_obj = actor if getattr(actor, "pk", None) else None
    return AuditEvent(
        actor=actor_obj,
        actor_name=getattr(actor, "username", "") or ("system" if actor is None else str(actor)),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:255],
        area_path=area_path or root_path(),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        note=note,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
