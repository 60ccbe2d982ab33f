"""Hand warnings to the platform's inbox (``zhili.core.notify``) when it is installed.

The inbox lives in core on another branch; until it is merged the ``Reminder`` rows are the record
and the targets pages list them. Looked up at call time so this module works either way.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger("zhili.targets")


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
    try:
        notify = importlib.import_module("zhili.core.notify").notify
    except (ImportError, AttributeError):
        log.debug("targets notice (%s, %d recipients): %s", kind, len(people), title)
        return len(people)
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
