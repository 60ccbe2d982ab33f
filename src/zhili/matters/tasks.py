"""Background tasks of matters (django.tasks; run by ``zhili worker``)."""

from __future__ import annotations

from typing import Any

from django.tasks import task
from django.utils import timezone

from zhili.matters import supervision


@task()
def sweep_deadlines() -> dict[str, Any]:
    """Warn, mark overdue, supervise (督办) and escalate: one idempotent pass over the deadlines
    of open matters. Enqueued every ZHILI_SWEEP_INTERVAL_SECONDS by ``zhili worker``."""
    return supervision.sweep(timezone.now()).as_dict()
