"""Reads of matters, always scoped to the acting user (area scope or own unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from zhili.areas.models import Area
from zhili.core.errors import NotFound
from zhili.core.scoping import can, path_prefix_q
from zhili.matters.models import OPEN_STATUSES, Category, Matter, MatterEvent, Status


@dataclass
class MatterFilters:
    status: str = ""
    area: str = ""
    category: str = ""
    unit: int | None = None
    overdue: bool | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    queue: str = ""
    q: str = ""


def matter_visible(user: Any, action: str = "view") -> QuerySet[Matter]:
    return Matter.objects.visible_to(user, action)


def matter_list(user: Any, f: MatterFilters) -> QuerySet[Matter]:
    qs = matter_visible(user).select_related("category", "area", "lead_unit")
    if f.status:
        qs = qs.filter(status__in=f.status.split(","))
    if f.area:
        area = Area.objects.filter(code=f.area).first()
        if area is None:
            raise NotFound(f"区域 {f.area} 不存在", code="area_not_found")
        qs = qs.filter(path_prefix_q("area_path", area.path))
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.unit:
        qs = qs.filter(lead_unit_id=f.unit)
    if f.overdue is not None:
        qs = qs.filter(overdue=f.overdue)
    if f.created_from:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__date__lte=f.created_to)
    if f.q:
        qs = (
            qs.filter(title__contains=f.q.strip())
            if not f.q.strip().startswith("Q")
            else qs.filter(number=f.q.strip())
        )
    if f.queue:
        qs = apply_queue(user, qs, f.queue)
    return qs


QUEUES = {
    "intake": "待受理",
    "dispatch": "待派遣",
    "sign": "待签收",
    "handle": "待处置",
    "verify": "待核查",
    "close": "待结案",
    "callback": "待回访",
    "overdue": "已超期",
    "extension": "待审批延期",
    "mine": "我登记的",
}


def apply_queue(user: Any, qs: QuerySet[Matter], queue: str) -> QuerySet[Matter]:
    unit_id = getattr(user, "unit_id", None)
    if queue == "intake":
        return qs.filter(status=Status.SUBMITTED)
    if queue == "dispatch":
        return qs.filter(status__in=[Status.ACCEPTED, Status.RETURNED])
    if queue == "sign":
        qs = qs.filter(status=Status.DISPATCHED)
        return qs.filter(lead_unit_id=unit_id) if unit_id and not _supervisor(user) else qs
    if queue == "handle":
        qs = qs.filter(status=Status.HANDLING)
        return qs.filter(lead_unit_id=unit_id) if unit_id and not _supervisor(user) else qs
    if queue == "verify":
        return qs.filter(status=Status.REPORTED)
    if queue == "close":
        return qs.filter(status=Status.VERIFIED)
    if queue == "callback":
        return qs.filter(status=Status.CLOSED)
    if queue == "overdue":
        return qs.filter(status__in=OPEN_STATUSES, overdue=True)
    if queue == "extension":
        return qs.filter(extension_requested_days__gt=0)
    if queue == "mine":
        return qs.filter(created_by=user)
    return qs


def _supervisor(user: Any) -> bool:
    from zhili.core.scoping import has_any

    return has_any(user, Matter, "dispatch")


def queue_counts(user: Any) -> dict[str, int]:
    """Counts for the queue tabs; each is an indexed filter within the user's scope."""
    base = matter_visible(user)
    return {key: apply_queue(user, base, key)[:1000].count() for key in QUEUES}


def matter_get(user: Any, number: str) -> Matter:
    matter = (
        matter_visible(user)
        .select_related(
            "category", "category__parent", "area", "lead_unit", "merged_into", "created_by"
        )
        .filter(number=number)
        .first()
    )
    if matter is None:
        raise NotFound(f"诉求 {number} 不存在或不在您的管辖范围内", code="matter_not_found")
    return matter


def matter_events(matter: Matter) -> QuerySet[MatterEvent]:
    return matter.events.select_related("unit").prefetch_related("attachments").order_by("id")


def category_list(user: Any | None = None, *, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.select_related("parent")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("order", "code")


def can_see_personal(user: Any, matter: Matter) -> bool:
    return can(user, "view_personal", Matter, matter.area_path)


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def public_lookup(number: str, phone_last4: str) -> Matter | None:
    """The public progress lookup: matter number plus the last four digits of the phone."""
    number, phone_last4 = (number or "").strip().upper(), (phone_last4 or "").strip()
    if len(phone_last4) != 4 or not phone_last4.isdigit():
        return None
    matter = Matter.objects.select_related("category", "area").filter(number=number).first()
    if matter is None or not matter.reporter_phone.endswith(phone_last4):
        return None
    return matter


def now() -> dt.datetime:
    return timezone.now()
