"""Pages of the cockpit: the drill-down page, its JSON, the big screen, weekly reports, cameras."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.cockpit import presenters, selectors, services
from zhili.cockpit.forms import CameraForm
from zhili.cockpit.models import CameraPoint, CameraStatus, ReportStatus, WeeklyReport
from zhili.core.db_router import report_reads
from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.core.pickers import bind_pickers
from zhili.core.scoping import can, has_any

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REFRESH_SECONDS = 300


def _state(request: HttpRequest) -> tuple[dict[str, Any], str]:
    """The cockpit's data for the request's area and period; a bad period falls back to 30 days
    and names the problem."""
    g = request.GET
    area = selectors.area_for(request.user, g.get("area", "").strip())
    error = ""
    try:
        period = selectors.period_of(
            g.get("from") or None, g.get("to") or None, g.get("days") or None
        )
    except ZhiliError as exc:
        error, period = exc.message, selectors.period_of(days=30)
    children = selectors.children_of(area)
    collected = selectors.cockpit(request.user, area, period)
    data = selectors.payload(area, period, collected, children)
    data["cameras"] = [
        {"name": p.name, "code": p.code, "lat": p.lat, "lng": p.lng, "status": p.status,
         "status_label": CameraStatus(p.status).label, "owner": p.owner}
        for p in selectors.camera_list(request.user, area)[:2000]
    ]  # fmt: skip
    data["geojson"] = reverse("areas:boundaries_geojson")
    data["drill"] = reverse("cockpit:home")
    return data, error


def _context(request: HttpRequest, data: dict[str, Any], error: str) -> dict[str, Any]:
    area = selectors.area_for(request.user, data["area"]["code"])
    return {
        "data": data,
        "error": error,
        "area": area,
        "crumbs": selectors.crumbs_of(request.user, area),
        "cards": presenters.cards(data),
        "table": presenters.table(data),
        "days": request.GET.get("days", ""),
        "refresh": REFRESH_SECONDS,
    }


@login_required
@require_GET
@report_reads
def home(request: HttpRequest) -> HttpResponse:
    try:
        data, error = _state(request)
    except ZhiliError as exc:
        if exc.status != 404 or not request.GET.get("area"):
            raise
        return redirect(f"{reverse('cockpit:home')}?bad_area=1")
    ctx = _context(request, data, error)
    if request.GET.get("bad_area"):
        ctx["error"] = gettext("所选区域不存在或不在您的管辖范围内，已显示您的默认区域")
    ctx["reports"] = selectors.report_list(request.user, ctx["area"])
    ctx["can_report"] = can(request.user, "add", WeeklyReport, ctx["area"].path)
    return render(request, "cockpit/home.html", ctx)


@login_required
@require_GET
@report_reads
def data_json(request: HttpRequest) -> JsonResponse:
    data, error = _state(request)
    return JsonResponse({**data, "error": error}, json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
@report_reads
def screen(request: HttpRequest) -> HttpResponse:
    """The big screen (1920×1080, dark, reloads itself every REFRESH_SECONDS)."""
    data, error = _state(request)
    return render(request, "cockpit/screen.html", _context(request, data, error))


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    area = selectors.area_for(request.user, request.POST.get("area", "").strip())
    try:
        services.report_request(actor=request.user, area=area)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("周报已在后台生成，完成后可在下方下载"))
    return redirect(f"{reverse('cockpit:home')}?area={area.code}")


@login_required
@require_GET
@report_reads
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    if report.status != ReportStatus.DONE or not report.xlsx:
        return render(request, "cockpit/report_pending.html", {"report": report}, status=409)
    response = HttpResponse(bytes(report.xlsx), content_type=XLSX)
    name = gettext("驾驶舱周报-%(area)s-%(end)s.xlsx") % {
        "area": report.area.name,
        "end": f"{report.end:%Y%m%d}",
    }
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(request.user, pk)
    if report.status != ReportStatus.DONE or not report.pdf:
        return render(request, "cockpit/report_pending.html", {"report": report}, status=409)
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    name = f"驾驶舱周报-{report.area.name}-{report.end:%Y%m%d}.pdf"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
@report_reads
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The weekly report as a print-styled page (the PDF is built with the xlsx, in the background)."""
    report = selectors.report_get(request.user, pk)
    if report.status != ReportStatus.DONE:
        return render(request, "cockpit/report_pending.html", {"report": report}, status=409)
    data = report.data
    return render(
        request,
        "cockpit/report_print.html",
        {"report": report, "cards": presenters.cards(data), "table": presenters.table(data)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cameras(request: HttpRequest) -> HttpResponse:
    area = selectors.area_for(request.user, request.GET.get("area", "").strip(), CameraPoint)
    form = CameraForm(request.POST or None)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            target = c["area"]
            services.camera_create(actor=request.user, code=c["code"], name=c["name"],
                                   area=target, lat=c["lat"], lng=c["lng"], owner=c["owner"],
                                   coverage=c["coverage"] or "", status=c["status"])  # fmt: skip
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已登记点位"))
            return redirect(f"{reverse('cockpit:cameras')}?area={area.code}")
    return render(
        request,
        "cockpit/cameras.html",
        {
            "area": area,
            "points": selectors.camera_list(request.user, area)[:500],
            "form": form,
            "can_add": has_any(request.user, CameraPoint, "add"),
            "statuses": CameraStatus.choices,
        },
    )


@login_required
@require_POST
def camera_status(request: HttpRequest, pk: int) -> HttpResponse:
    point = selectors.camera_get(request.user, pk)
    try:
        services.camera_set_status(
            actor=request.user, point=point, status=request.POST.get("status", "")
        )
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('cockpit:cameras')}?area={point.area.code}")
