"""Reads of the audit trail, scoped by the area each event belongs to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from zhili.core.models import AuditEvent


def audit_search(
    user: Any,
    *,
    query: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.visible_to(user)
    if query:
        qs = qs.filter(
            Q(object_repr__contains=query) | Q(note__contains=query) | Q(object_id=query)
        )
    if action:
        qs = qs.filter(action__startswith=action)
    if actor:
        qs = qs.filter(actor_name=actor)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs


def object_history(user: Any, obj: Any) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.visible_to(user)
        .filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("-id")
    )
