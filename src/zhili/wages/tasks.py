"""The nightly run of the warning rules over every project (django.tasks, enqueued by the worker
loop once a day); imports run the same rules over their own project right away."""

from __future__ import annotations

from django.tasks import task


@task()
def wages_nightly() -> int:
    from django.utils import timezone

    from zhili.wages.services import warnings_run

    return len(warnings_run(today=timezone.localdate()))
