"""Notifications: an in-app inbox for staff, plus pluggable senders (SMS, WeChat, ...).

``ZHILI_NOTIFY_SENDERS`` lists dotted paths of callables ``send(notice)``; the default only logs,
so an intranet installation works with no outside service.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from zhili.core.models import Notice

log = logging.getLogger("zhili.notify")


def log_sender(notice: Notice) -> None:
    log.info("notice to %s [%s] %s", notice.recipient_id, notice.kind, notice.title)


def _senders() -> list[Any]:
    paths = getattr(settings, "ZHILI_NOTIFY_SENDERS", ["zhili.core.notify.log_sender"])
    return [import_string(p) for p in paths]


def notify(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: Any = None,
    dedupe_key: str = "",
) -> list[Notice]:
    """Put a notice in each recipient's inbox (once per dedupe_key) and hand it to the senders."""
    people = {u.pk: u for u in recipients if u is not None}
    dedupe_key = dedupe_key[:120]
    if dedupe_key and people:
        already = Notice.objects.filter(recipient_id__in=people, dedupe_key=dedupe_key)
        for pk in already.values_list("recipient_id", flat=True):
            people.pop(pk, None)
    created = [
        Notice.objects.create(
            recipient=user,
            kind=kind,
            title=title[:200],
            body=body,
            url=url[:300],
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            dedupe_key=dedupe_key,
        )
        for user in people.values()
    ]
    if not created:
        return created
    senders = _senders()

    def deliver() -> None:
        for notice in created:
            for send in senders:
                try:
                    send(notice)
                except Exception:  # a failing SMS gateway must not lose the inbox copy
                    log.exception("notice sender %s failed", send)

    transaction.on_commit(deliver)
    return created
