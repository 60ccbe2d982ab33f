"""Background tasks of disputes (django.tasks; the worker enqueues them, see apps.py)."""

from __future__ import annotations

from django.tasks import task


@task()
def dispute_reminders() -> dict[str, int]:
    from zhili.disputes.reminders import send_reminders

    return send_reminders()
