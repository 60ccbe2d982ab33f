"""Pages of the screens app: managing centres, devices, notices and duty; the kiosk itself
(no login: a device token, paired once into an HttpOnly cookie)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.core.errors import Conflict, PermissionDenied, ZhiliError
from zhili.core.pickers import bind_pickers
from zhili.core.scoping import has_any
from zhili.screens import registry, selectors, services
from zhili.screens.forms import CentreForm, DeviceForm, DutyForm, NoticeForm
from zhili.screens.models import ServiceCentre

COOKIE = "zhili_screen"
COOKIE_AGE = 10 * 365 * 24 * 3600
POLL_SECONDS = 120


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, ServiceCentre, "view"):
        raise PermissionDenied(gettext("没有管理公示屏的权限"))
    form = CentreForm(request.POST or None)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            centre = services.centre_create(actor=request.user, area=c["area"], name=c["name"],
                                            complaint_line=c["complaint_line"], hours=c["hours"])  # fmt: skip
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("screens:centre", pk=centre.pk)
    return render(
        request,
        "screens/manage.html",
        {"centres": selectors.centre_list(request.user), "form": form,
         "can_add": has_any(request.user, ServiceCentre, "add")},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def centre(request: HttpRequest, pk: int) -> HttpResponse:
    c = selectors.centre_get(request.user, pk)
    which = request.POST.get("form", "")
    device_form = DeviceForm(request.POST if which == "device" else None)
    notice_form = NoticeForm(
        request.POST if which == "notice" else None, initial={"show_from": timezone.localdate()}
    )
    duty_form = DutyForm(
        request.POST if which == "duty" else None, initial={"day": timezone.localdate()}
    )
    token = ""
    if request.method == "POST":
        try:
            if which == "device" and device_form.is_valid():
                _device, token = services.device_create(
                    actor=request.user, centre=c, name=device_form.cleaned_data["name"]
                )
                device_form = DeviceForm()
            elif which == "notice" and notice_form.is_valid():
                services.notice_create(actor=request.user, centre=c, **notice_form.cleaned_data)
                messages.success(request, gettext("已保存公告"))
                return redirect("screens:centre", pk=c.pk)
            elif which == "duty" and duty_form.is_valid():
                services.duty_add(actor=request.user, centre=c, **duty_form.cleaned_data)
                messages.success(request, gettext("已登记值班"))
                return redirect("screens:centre", pk=c.pk)
        except ZhiliError as exc:
            {"device": device_form, "notice": notice_form, "duty": duty_form}[which].add_error(
                None, exc.message
            )
    pair_url = request.build_absolute_uri(reverse("screens:pair", args=[token])) if token else ""
    return render(
        request,
        "screens/centre.html",
        {
            "c": c, "devices": selectors.centre_devices(request.user, c),
            "notices": selectors.centre_notices(request.user, c),
            "duties": selectors.centre_duties(request.user, c),
            "device_form": device_form, "notice_form": notice_form, "duty_form": duty_form,
            "token": token, "pair_url": pair_url,
            "slides": registry.slides_for(c, timezone.localdate()),
        },
    )  # fmt: skip


@login_required
@require_POST
def device_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    device = selectors.device_get(request.user, pk)
    try:
        services.device_revoke(actor=request.user, device=device)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("已停用 %(name)s") % {"name": device.name})
    return redirect("screens:centre", pk=device.centre.pk)


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.notice_get(request.user, pk)
    services.notice_withdraw(actor=request.user, notice=notice)
    return redirect("screens:centre", pk=notice.centre.pk)


@require_GET
def pair(request: HttpRequest, token: str) -> HttpResponse:
    """Opened once on the TV: keeps the token in an HttpOnly cookie and shows the kiosk."""
    if selectors.device_for_token(token) is None:
        raise Http404(gettext("设备令牌无效或已停用"))
    response = redirect("screens:kiosk")
    response.set_cookie(COOKIE, token, max_age=COOKIE_AGE, httponly=True, samesite="Strict",
                        secure=request.is_secure())  # fmt: skip
    response["Referrer-Policy"] = "no-referrer"
    return response


def _device(request: HttpRequest) -> Any:
    return selectors.device_for_token(request.COOKIES.get(COOKIE, ""))


def _slides(device: Any) -> list[dict[str, Any]]:
    return [asdict(s) for s in registry.slides_for(device.centre, timezone.localdate())]


@require_GET
def kiosk(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    if device is None:
        return render(request, "screens/refused.html", status=403)
    services.device_seen(device)
    return render(
        request,
        "screens/kiosk.html",
        {"device": device, "centre": device.centre, "slides": _slides(device),
         "poll": POLL_SECONDS, "sw": reverse("screens:kiosk_sw")},
    )  # fmt: skip


@require_GET
def kiosk_sw(request: HttpRequest) -> HttpResponse:
    """The kiosk's service worker (scope /screens/kiosk/): a cold reload offline shows the last
    slides. Public like any script; it holds no data, the cached page is the device's own."""
    response = render(
        request,
        "screens/kiosk_sw.js",
        {"scope": reverse("screens:kiosk"), "slides_url": reverse("screens:kiosk_slides")},
        content_type="application/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def kiosk_slides(request: HttpRequest) -> JsonResponse:
    device = _device(request)
    if device is None:
        return JsonResponse(
            {"code": "device_refused", "message": gettext("设备未授权或已停用")}, status=403
        )
    services.device_seen(device)
    return JsonResponse({"slides": _slides(device)}, json_dumps_params={"ensure_ascii": False})
