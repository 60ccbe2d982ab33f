"""Pages of the screens app: managing centres, devices, notices, staff and duty, and reading the
residents' ratings; the kiosk itself (no login: a device token, paired once into an HttpOnly
cookie); the public rating page (no login, throttled per address like the other public forms)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhili.core import tunables
from zhili.core.errors import Conflict, PermissionDenied, ZhiliError
from zhili.core.pagination import keyset_page
from zhili.core.pickers import bind_pickers
from zhili.core.privacy import mask_text
from zhili.core.scoping import can, has_any
from zhili.core.throttle import throttled
from zhili.screens import ratings, registry, selectors, services
from zhili.screens.forms import (
    CentreForm,
    DeviceForm,
    DutyForm,
    NoticeForm,
    RatingForm,
    StaffForm,
)
from zhili.screens.models import CentreStaff, ServiceCentre, StaffRating

COOKIE = "zhili_screen"
COOKIE_AGE = 10 * 365 * 24 * 3600
POLL_SECONDS = 120
RATING_WINDOW = 3600  # the per-address limit counts an hour (screens.rating_limit_per_hour)
SAME_STAFF_WINDOW = 12 * 3600  # one rating of one staff member per address in 12 hours


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
    staff_form = StaffForm(request.POST if which == "staff" else None, prefix="staff")
    bind_pickers(staff_form, request.user)
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
            elif which == "staff" and staff_form.is_valid():
                d = staff_form.cleaned_data
                services.staff_add(actor=request.user, centre=c, name=d["name"], post=d["post"],
                                   user=d["username"])  # fmt: skip
                messages.success(request, gettext("已登记服务人员"))
                return redirect("screens:centre", pk=c.pk)
        except ZhiliError as exc:
            forms_by_name = {"device": device_form, "notice": notice_form, "duty": duty_form,
                             "staff": staff_form}  # fmt: skip
            forms_by_name[which].add_error(None, exc.message)
    staff = list(selectors.centre_staff(request.user, c))
    rating_url = _public_url(request, reverse("screens:rate", args=[c.rating_code]))
    pair_url = request.build_absolute_uri(reverse("screens:pair", args=[token])) if token else ""
    return render(
        request,
        "screens/centre.html",
        {
            "c": c, "devices": selectors.centre_devices(request.user, c),
            "notices": selectors.centre_notices(request.user, c),
            "duties": selectors.centre_duties(request.user, c),
            "device_form": device_form, "notice_form": notice_form, "duty_form": duty_form,
            "staff_form": staff_form, "staff": staff,
            "token": token, "pair_url": pair_url,
            "rating_url": rating_url, "rating_qr": qr_data_uri(rating_url),
            "can_read_ratings": can(request.user, "view", StaffRating, c.area_path),
            "can_change_staff": can(request.user, "change", CentreStaff, c.area_path),
            "slides": registry.slides_for(c, timezone.localdate()),
        },
    )  # fmt: skip


@login_required
@require_GET
def centre_ratings(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre's ratings with the residents' comments (never on the screen), and each staff
    member's figures; for those who hold ``staffrating.view`` over the centre."""
    c = selectors.centre_get(request.user, pk)
    if not can(request.user, "view", StaffRating, c.area_path):
        raise PermissionDenied(gettext("没有查看服务评价的权限"))
    staff = list(selectors.centre_staff(request.user, c))
    chosen = next((s for s in staff if str(s.pk) == request.GET.get("staff", "")), None)
    page = keyset_page(
        selectors.centre_ratings(request.user, c, staff=chosen),
        order=("-at", "-id"), cursor=request.GET.get("cursor"), limit=50,
    )  # fmt: skip
    for r in page.items:
        r.shown_comment = mask_text(r.comment)
    figures = ratings.figures(s.pk for s in staff)
    return render(
        request,
        "screens/ratings.html",
        {"c": c, "rows": [(s, figures[s.pk]) for s in staff], "chosen": chosen, "page": page,
         "window_days": ratings.window_days(), "min_count": ratings.min_count(),
         "params": f"staff={chosen.pk}" if chosen else ""},
    )  # fmt: skip


@login_required
@require_POST
def staff_active(request: HttpRequest, pk: int) -> HttpResponse:
    staff = selectors.staff_get(request.user, pk)
    active = request.POST.get("active") == "1"
    services.staff_set_active(actor=request.user, staff=staff, active=active)
    messages.success(request, gettext("已更新 %(name)s 的在岗状态") % {"name": staff.name})
    return redirect("screens:centre", pk=staff.centre.pk)


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


def _public_url(request: HttpRequest, path: str) -> str:
    """The address residents' phones open: ZHILI_PUBLIC_URL when set, else this request's."""
    base = settings.ZHILI_PUBLIC_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data: URI (drawn here: the screen fetches nothing else)."""
    import segno

    return str(segno.make(text, error="m").svg_data_uri(scale=8, border=2, dark="#10213f"))


def _slides(request: HttpRequest, device: Any) -> list[dict[str, Any]]:
    out = []
    for s in registry.slides_for(device.centre, timezone.localdate()):
        row = asdict(s)
        if s.link:
            row["link"] = _public_url(request, s.link)
            row["qr"] = qr_data_uri(row["link"])
        out.append(row)
    return out


@require_GET
def kiosk(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    if device is None:
        return render(request, "screens/refused.html", status=403)
    services.device_seen(device)
    return render(
        request,
        "screens/kiosk.html",
        {"device": device, "centre": device.centre, "slides": _slides(request, device),
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
    return JsonResponse(
        {"slides": _slides(request, device)}, json_dumps_params={"ensure_ascii": False}
    )


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """A resident rates the staff member who served them (public, no login; from the QR code on
    the screen). Throttled per address: ``screens.rating_limit_per_hour`` ratings an hour, and
    one rating of the same staff member in 12 hours."""
    centre = selectors.centre_for_rating(code)
    if centre is None:
        raise Http404(gettext("评价页面不存在"))
    choices = selectors.rating_choices(centre, timezone.localdate())
    form = RatingForm(request.POST or None, staff=choices,
                      initial={"staff": request.GET.get("staff", "")})  # fmt: skip
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            d = form.cleaned_data
            limit = int(tunables.value("screens.rating_limit_per_hour"))
            if throttled(f"rating:{d['staff']}", request, limit=1, window=SAME_STAFF_WINDOW):
                form.add_error(None, gettext("您已评价过这位工作人员，请 12 小时后再评价。"))
                status = 429
            elif throttled("rating", request, limit=limit, window=RATING_WINDOW):
                form.add_error(None, gettext("评价过于频繁，请一小时后再试。"))
                status = 429
            else:
                try:
                    services.rating_submit(centre=centre, staff_id=d["staff"], score=d["score"],
                                           comment=d["comment"])  # fmt: skip
                except ZhiliError as exc:
                    form.add_error(None, exc.message)
                    status = exc.status
                else:
                    return redirect(
                        reverse("screens:rate", args=[centre.rating_code]) + "?thanks=1"
                    )
    thanks = request.method == "GET" and request.GET.get("thanks") == "1"
    return render(
        request,
        "screens/rate.html",
        {"centre": centre, "form": form, "thanks": thanks, "has_staff": bool(choices)},
        status=status,
    )
