"""The in-app inbox: reads (always the acting user's own notices) and the two writes (mark read).

Notices are created by ``core.notify.notify``; nobody sees another person's notice — asking for
one answers 404, as for anything outside one's scope.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core.errors import NotFound
from zhili.core.models import Notice
from zhili.core.pagination import Page, decode_cursor, encode_cursor

UNREAD_BADGE_CAP = 99


def notice_mine(user: Any) -> QuerySet[Notice]:
    if not getattr(user, "is_authenticated", False):
        return Notice.objects.none()
    return Notice.objects.filter(recipient_id=user.pk)


def notice_get(user: Any, notice_id: int) -> Notice:
    notice = notice_mine(user).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(gettext("通知不存在"), code="notice_not_found")
    return notice


def unread_count(user: Any) -> int:
    """Unread notices, counted up to UNREAD_BADGE_CAP + 1 (the badge shows "99+"); remembered on
    the request's user until a notice is marked read."""
    cached = getattr(user, "_zhili_unread", None)
    if cached is None:
        cached = notice_mine(user).filter(read_at__isnull=True)[: UNREAD_BADGE_CAP + 1].count()
        if getattr(user, "is_authenticated", False):
            user._zhili_unread = cached
    return cached


def _forget_unread(user: Any) -> None:
    if hasattr(user, "_zhili_unread"):
        del user._zhili_unread


def inbox_page(user: Any, *, cursor: str | None = None, limit: int = 30) -> Page:
    """Unread notices first, then read ones, each newest first; keyset cursors ("u"|"r", id)."""
    limit = max(1, min(int(limit), 100))
    phase, after = "u", None
    if cursor:
        phase, after = decode_cursor(cursor, 2)
        if phase not in ("u", "r") or not isinstance(after, int):
            phase, after = "u", None
    items: list[Notice] = []
    for current in ("u", "r"):
        if current == "u" and phase == "r":
            continue
        qs = notice_mine(user).filter(read_at__isnull=(current == "u")).order_by("-id")
        if after is not None and current == phase:
            qs = qs.filter(id__lt=after)
        want = limit - len(items)
        rows = list(qs[: want + 1])
        if len(rows) > want:
            items.extend(rows[:want])
            return Page(items=items, next=encode_cursor([current, items[-1].pk]))
        items.extend(rows)
    return Page(items=items, next=None)


@transaction.atomic
def notice_mark_read(*, user: Any, notice_id: int) -> Notice:
    notice = notice_get(user, notice_id)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        _forget_unread(user)
    return notice


@transaction.atomic
def notice_mark_all_read(*, user: Any) -> int:
    _forget_unread(user)
    return notice_mine(user).filter(read_at__isnull=True).update(read_at=timezone.now())
