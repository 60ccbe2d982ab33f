"""Hand target warnings to the platform's inbox and senders (``zhili.core.notify``); the
``Reminder`` rows remain the targets module's own record, listed on its pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zhili.core.notify import notify


def send(
    *,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    body: str,
    url: str,
    obj: Any,
    dedupe_key: str,
) -> int:
    people = [u for u in recipients if u is not None]
    notify(
        recipients=people,
        kind=kind,
        title=title,
        body=body,
        url=url,
        obj=obj,
        dedupe_key=dedupe_key,
    )
    return len(people)
