"""The audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.core.selectors import audit_search

router = Router(tags=["core"])


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    note: str
    request_id: str


class AuditPage(Schema):
    items: list[AuditOut]
    next: str | None


@router.get(
    "/audit",
    response={200: AuditPage, 401: ErrorOut, 422: ErrorOut},
    summary="审计记录（按管辖范围）",
)
def audit(
    request: HttpRequest,
    q: str = "",
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    qs = audit_search(
        request.user,
        query=q,
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
    )
    page = keyset_page(qs, order=("-id",), cursor=cursor, limit=limit)
    return {
        "items": [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_name,
                "action": e.action,
                "action_label": e.action_label,
                "object_type": e.object_type,
                "object_id": e.object_id,
                "object_repr": e.object_repr,
                "before": e.before,
                "after": e.after,
                "note": e.note,
                "request_id": e.request_id,
            }
            for e in page.items
        ],
        "next": page.next,
    }
