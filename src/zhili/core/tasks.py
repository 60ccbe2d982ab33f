"""Background tasks of the core (django.tasks; run by ``zhili worker``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


@task()
def prune_task_results() -> int:
    """Delete finished task results older than ZHILI_TASK_RESULT_DAYS (default 14), so the queue
    table does not grow by a sweep every five minutes forever. Returns how many were deleted."""
    if not str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db"):
        return 0  # RQ (REDIS_URL) expires its results itself (result_ttl)
    days = int(getattr(settings, "ZHILI_TASK_RESULT_DAYS", 14))
    cutoff = timezone.now() - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


@task()
def build_export(job_id: int) -> dict[str, Any]:
    """Build one background export (core.exports); the job records its progress and outcome."""
    from zhili.core.exports import export_build

    job = export_build(job_id=job_id)
    return {"job": job.pk, "status": job.status, "rows": job.done}
