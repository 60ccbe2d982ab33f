"""Writes of the cockpit: weekly reports (asked for here, built in the background) and camera
points."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.cockpit import selectors
from zhili.cockpit.exports import weekly_pdf, weekly_xlsx
from zhili.cockpit.models import CameraPoint, CameraStatus, ReportStatus, WeeklyReport
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed
from zhili.core.scoping import require, require_at

log = logging.getLogger("zhili.cockpit")


def last_week(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The seven days ending yesterday."""
    end = (today or timezone.localdate()) - dt.timedelta(days=1)
    return end - dt.timedelta(days=6), end


@transaction.atomic
def report_request(*, actor: Any, area: Area, today: dt.date | None = None) -> WeeklyReport:
    """Ask for the weekly report of ``area``: a row now, the work in the task backend."""
    from zhili.cockpit.tasks import build_weekly_report

    require_at(actor, "add", WeeklyReport, area.path, noun=gettext("周报"))
    start, end = last_week(today)
    report = WeeklyReport.objects.create(
        area=area, area_path=area.path, start=start, end=end, requested_by=actor
    )
    audit_record(actor=actor, action="cockpit.report_request", obj=report, area_path=area.path,
                 after={"start": start.isoformat(), "end": end.isoformat()})  # fmt: skip

    def enqueue() -> None:
        result = build_weekly_report.enqueue(report_id=report.pk)
        WeeklyReport.objects.filter(pk=report.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return report


def report_build(*, report_id: int) -> WeeklyReport:
    """Collect the figures as the requester sees them, keep the snapshot, the xlsx and the PDF."""
    report = WeeklyReport.objects.select_related("area", "requested_by").get(pk=report_id)
    if report.status == ReportStatus.DONE:
        return report
    try:
        # What is kept is data, in the platform's language whoever asked (docs/i18n.md).
        with translation.override(settings.LANGUAGE_CODE):
            period = selectors.period_of(start=report.start, end=report.end)
            children = selectors.children_of(report.area)
            collected = selectors.cockpit(report.requested_by, report.area, period)
            data = selectors.payload(report.area, period, collected, children)
            report.data, report.xlsx = data, weekly_xlsx(data)
            try:
                report.pdf = weekly_pdf(report, data)
            except Exception as exc:  # e.g. no Pango here: the xlsx and print page remain
                log.warning("weekly report %s: no PDF (%s: %s)", report.pk, type(exc).__name__, exc)
                report.pdf = None
        report.status = ReportStatus.DONE
    except Exception as exc:  # recorded on the report for the requester to see
        report.status, report.error = ReportStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    report.finished_at = timezone.now()
    report.save()
    return report


def _check_point(lat: Any, lng: Any) -> tuple[float, float]:
    try:
        la, ln = float(lat), float(lng)
    except (TypeError, ValueError):
        raise ValidationFailed(gettext("经纬度须为数字"), code="invalid_point") from None
    if not (-90 <= la <= 90 and -180 <= ln <= 180):
        raise ValidationFailed(gettext("经纬度超出范围"), code="invalid_point")
    return la, ln


@transaction.atomic
def camera_create(
    *, actor: Any, code: str, name: str, area: Area, lat: Any, lng: Any, owner: str,
    coverage: str = "", status: str = CameraStatus.ONLINE,
) -> CameraPoint:  # fmt: skip
    require_at(actor, "add", CameraPoint, area.path, noun=gettext("点位"))
    code, name, owner = code.strip(), name.strip(), owner.strip()
    if not code or not name or not owner:
        raise ValidationFailed(gettext("点位编号、名称和权属单位不能为空"), code="required")
    if status not in CameraStatus.values:
        raise ValidationFailed(gettext("未知的点位状态"), code="invalid_status")
    if CameraPoint.objects.filter(code=code).exists():
        raise ValidationFailed(
            gettext("点位编号 %(code)s 已存在") % {"code": code}, code="duplicate"
        )
    la, ln = _check_point(lat, lng)
    point = CameraPoint.objects.create(
        code=code, name=name, area=area, area_path=area.path, lat=la, lng=ln, owner=owner,
        coverage=coverage.strip()[:200], status=status,
    )  # fmt: skip
    audit_record(actor=actor, action="camera.create", obj=point, area_path=area.path,
                 after={"code": code, "status": status, "owner": owner})  # fmt: skip
    return point


@transaction.atomic
def camera_set_status(*, actor: Any, point: CameraPoint, status: str) -> CameraPoint:
    require(actor, "change", point, noun=gettext("点位"))
    if status not in CameraStatus.values:
        raise ValidationFailed(gettext("未知的点位状态"), code="invalid_status")
    before = point.status
    point.status = status
    point.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="camera.change", obj=point, area_path=point.area_path,
                 before={"status": before}, after={"status": status})  # fmt: skip
    return point
