"""Background work of the cockpit (django.tasks through the database backend; ``zhili worker``)."""

from __future__ import annotations

from django.tasks import task


@task()
def build_weekly_report(report_id: int) -> str:
    from zhili.cockpit.services import report_build

    return report_build(report_id=report_id).status
