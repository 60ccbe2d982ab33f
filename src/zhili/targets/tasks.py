"""Background work of target management (django.tasks): warnings and the daily score refresh.

``zhili worker`` enqueues it daily (TargetsConfig.periodic_tasks); ``zhili targets_warn`` runs it at
once. Each run is idempotent: a warning is sent once per report, kind and due date.
"""

from __future__ import annotations

from typing import Any

from django.tasks import task

from zhili.targets.models import Plan, PlanStatus


@task
def targets_warn(plan_id: int | None = None) -> dict[str, Any]:
    """Warn assignees of milestones coming due, flag overdue ones, and refresh every score."""
    from zhili.targets import services

    plans = Plan.objects.filter(status=PlanStatus.ACTIVE)
    if plan_id is not None:
        plans = plans.filter(pk=plan_id)
    out: dict[str, Any] = {}
    for plan in plans:
        counts = services.reminders_send(plan=plan)
        services.scores_refresh(plan=plan)
        out[str(plan.year)] = counts
    return out
