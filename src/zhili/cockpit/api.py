"""Cockpit API: the figures of every module for an area and period, weekly reports, cameras."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from zhili.cockpit import selectors, services
from zhili.cockpit.schemas import (
    CockpitCameraIn,
    CockpitCameraOut,
    CockpitOut,
    CockpitReportIn,
    CockpitReportOut,
)
from zhili.core.schemas import ErrorOut

router = Router(tags=["cockpit"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "/", response={200: CockpitOut, **ERRORS}, summary="驾驶舱：各模块在某区域、某期间的指标"
)
def cockpit(
    request: HttpRequest, area: str = "", days: int | None = None, start: str = "", end: str = ""
) -> Any:
    a = selectors.area_for(request.user, area)
    period = selectors.period_of(start or None, end or None, days)
    children = selectors.children_of(a)
    return selectors.payload(a, period, selectors.cockpit(request.user, a, period), children)


def _report_out(r: Any) -> dict[str, Any]:
    return {"id": r.pk, "area": r.area.code, "start": r.start.isoformat(),
            "end": r.end.isoformat(), "status": r.status, "error": r.error}  # fmt: skip


@router.post("/reports", response={201: CockpitReportOut, **ERRORS}, summary="生成周报（后台任务）")
def report_request(request: HttpRequest, p: CockpitReportIn) -> Any:
    area = selectors.area_for(request.user, p.area)
    return Status(201, _report_out(services.report_request(actor=request.user, area=area)))


@router.get("/reports/{report_id}", response={200: CockpitReportOut, **ERRORS}, summary="周报状态")
def report_get(request: HttpRequest, report_id: int) -> Any:
    return _report_out(selectors.report_get(request.user, report_id))


def _camera_out(p: Any) -> dict[str, Any]:
    return {"id": p.pk, "code": p.code, "name": p.name, "area": p.area.code, "lat": p.lat,
            "lng": p.lng, "owner": p.owner, "coverage": p.coverage, "status": p.status}  # fmt: skip


@router.get("/cameras", response={200: list[CockpitCameraOut], **ERRORS}, summary="雪亮工程点位")
def cameras(request: HttpRequest, area: str = "") -> Any:
    a = selectors.area_for(request.user, area) if area else None
    return [_camera_out(p) for p in selectors.camera_list(request.user, a)[:5000]]


@router.post("/cameras", response={201: CockpitCameraOut, **ERRORS}, summary="登记雪亮工程点位")
def camera_create(request: HttpRequest, p: CockpitCameraIn) -> Any:
    area = selectors.area_for(request.user, p.area)
    point = services.camera_create(
        actor=request.user, code=p.code, name=p.name, area=area, lat=p.lat, lng=p.lng,
        owner=p.owner, coverage=p.coverage, status=p.status,
    )  # fmt: skip
    return Status(201, _camera_out(point))
