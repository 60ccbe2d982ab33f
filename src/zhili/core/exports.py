"""Large exports in the background, with progress (docs/matters.md "Export").

A list whose export is over what a request should build (the matters queue above 10,000 rows)
asks for an ``ExportJob``: the page's filters are stored as they were posted, the task backend
(django.tasks, ``core.tasks.build_export``, run by ``zhili worker``) builds the file, and the job's
page shows the progress and offers the file. The list is read **as the requester sees it** (the
builder rebuilds the page's filters for the requester), and the job, its page and its file are the
requester's alone: another user — even one who sees the same list — gets 404.

An app declares its builders in its AppConfig: ``exports = {"matters.queue":
"zhili.matters.list_xlsx.build_queue_export"}``, a function ``(job, progress) -> (bytes,
filename)`` that calls ``progress(done)`` as it writes (every ``PROGRESS_EVERY`` rows).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.audit import audit_record
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.models import ExportJob, ExportStatus

PROGRESS_EVERY = 1000
Builder = Callable[[ExportJob, Callable[[int], None]], tuple[bytes, str]]

labels.register_audit({"export.request": _("后台导出"), "export.download": _("下载导出文件")})


@cache
def builders() -> dict[str, str]:
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        found.update(getattr(config, "exports", {}) or {})
    return found


def export_request(*, actor: Any, kind: str, title: str, params: str, total: int) -> ExportJob:
    """Ask for an export: the job now, the work in the task backend once this commits."""
    from zhili.core.tasks import build_export

    if kind not in builders():
        raise ValidationFailed(gettext("未知的导出类别 %(k)s") % {"k": kind}, code="invalid_export")
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind, title=title[:200], params=params, requested_by=actor, total=total
        )
        audit_record(
            actor=actor,
            action="export.request",
            obj=job,
            after={"kind": kind, "params": params, "total": total},
        )

        def enqueue() -> None:
            result = build_export.enqueue(job_id=job.pk)
            ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

        transaction.on_commit(enqueue)
    return job


def export_build(*, job_id: int) -> ExportJob:
    """Build the file of one job (the task's body): idempotent once done; a failure is recorded
    on the job for the requester to see, never raised into the worker."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status == ExportStatus.DONE:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, done=0)

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(done=done)

    try:
        builder: Builder = import_string(builders()[job.kind])
        data, filename = builder(job, progress)
    except Exception as exc:  # recorded on the job for the requester to see
        job.status, job.error = ExportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    else:
        job.refresh_from_db(fields=["done", "total"])
        job.file, job.filename, job.status = data, filename, ExportStatus.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "file", "filename", "finished_at"])
    return job


def export_get(user: Any, pk: int) -> ExportJob:
    """One job of the user's own (404 for anyone else's: a job reveals its filters)."""
    job = (
        ExportJob.objects.filter(pk=pk, requested_by_id=getattr(user, "pk", None))
        .defer("file")
        .first()
    )
    if job is None:
        raise NotFound(gettext("导出任务不存在"), code="export_not_found")
    return job


def export_file(user: Any, pk: int) -> tuple[bytes, str]:
    """The finished file of one of the user's jobs; the download is audited."""
    job = ExportJob.objects.filter(pk=pk, requested_by_id=getattr(user, "pk", None)).first()
    if job is None:
        raise NotFound(gettext("导出任务不存在"), code="export_not_found")
    if job.status != ExportStatus.DONE or job.file is None:
        raise ValidationFailed(gettext("文件尚未生成，请稍候"), code="export_not_ready")
    with transaction.atomic():
        audit_record(actor=user, action="export.download", obj=job)
    return bytes(job.file), job.filename
