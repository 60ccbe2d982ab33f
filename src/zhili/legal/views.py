"""Legal adviser pages: the township's overview (hours and visits against the target, with
warnings), advisers, villages served, duty slots, the consultations log, and the reviews. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from zhili.core.errors import PermissionDenied, ZhiliError
from zhili.core.pickers import bind_pickers
from zhili.core.scoping import has_any
from zhili.legal import forms, selectors, services
from zhili.legal.models import Adviser, Consultation, Coverage, Duty
from zhili.legal.workflow import REVIEWS


def _form_page(request: HttpRequest, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "core/form_page.html",
        {"form": form, "title": title, "back_url": "/legal/", "submit_label": gettext("保存")},
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return render(
        request,
        "legal/home.html",
        {
            "year": year,
            "target": selectors.target_of(year),
            "accounts": selectors.accounts(user, year=year),
            "duties": selectors.duty_list(user, since=timezone.localdate())[:20],
            "consultations": [
                selectors.consultation_row(c)
                for c in selectors.consultation_list(user, year=year)[:30]
            ],
            "can_add_adviser": has_any(user, Adviser, "add"),
            "can_cover": has_any(user, Coverage, "add"),
            "can_duty": has_any(user, Duty, "add"),
            "can_log": has_any(user, Consultation, "add"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adviser_create(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Adviser, "add"):
        raise PermissionDenied(gettext("您没有新增法律顾问的权限"))
    form = forms.AdviserForm(request.POST or None)
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            account = c["username"]  # a staff account picked or typed (core.pickers), or None
            services.adviser_create(
                actor=request.user,
                name=c["name"],
                firm=c["firm"],
                license_no=c["license_no"],
                phone=c["phone"],
                area=c["area_code"],
                user=account,
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已新增法律顾问"))
            return redirect("legal:home")
    return _form_page(request, form, gettext("新增法律顾问"))


@login_required
@require_http_methods(["GET", "POST"])
def coverage_create(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Coverage, "add"):
        raise PermissionDenied(gettext("您没有指定村（社区）法律顾问的权限"))
    form = forms.CoverageForm(request.POST or None, advisers=selectors.adviser_list(request.user))
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.coverage_add(
                actor=request.user,
                adviser=c["adviser"],
                area=c["area_code"],
                since=c["since"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已指定法律顾问"))
            return redirect("legal:home")
    return _form_page(request, form, gettext("指定村（社区）法律顾问"))


@login_required
@require_http_methods(["GET", "POST"])
def duty_create(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Duty, "add"):
        raise PermissionDenied(gettext("您没有安排值班的权限"))
    form = forms.DutyForm(request.POST or None, advisers=selectors.adviser_list(request.user))
    bind_pickers(form, request.user)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.duty_add(
                actor=request.user,
                adviser=c["adviser"],
                area=c["area_code"],
                on=c["on"],
                start=c["start"],
                end=c["end"],
                place=c["place"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已安排值班"))
            return redirect("legal:home")
    return _form_page(request, form, gettext("安排值班"))


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    """An adviser logs a service in one of the villages or communities they serve."""
    adviser = getattr(request.user, "legal_adviser", None)
    if adviser is None or not has_any(request.user, Consultation, "add"):
        raise PermissionDenied(gettext("只有法律顾问本人可以登记法律服务"))
    served = {
        c.area.code: c.area
        for c in selectors.coverage_list(request.user)
        if c.adviser_id == adviser.pk
    }
    form = forms.ConsultationForm(
        request.POST or None,
        areas=[(code, a.name) for code, a in served.items()],
        initial={"on": timezone.localdate(), "on_site": True},
    )
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            services.consultation_log(
                actor=request.user,
                adviser=adviser,
                area=served.get(c["area"]),
                kind=c["kind"],
                on=c["on"],
                minutes=c["minutes"],
                on_site=c["on_site"],
                topic=c["topic"],
                person=c["person"],
                phone=c["phone"],
                answer=c["answer"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已登记"))
            return redirect("legal:home")
    return _form_page(request, form, gettext("登记法律服务"))


@login_required
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    return render(
        request, "legal/reviews.html", {"reviews": selectors.review_list(request.user)[:100]}
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_get(request.user, pk)
    may = bool(REVIEWS.allowed_actions(request.user, review))
    form = (
        forms.DecideForm(request.POST or None, initial={"version": review.version}) if may else None
    )
    status = 200
    if request.method == "POST":
        if form is None:
            status = 403 if review.status == "requested" else 409
        elif form.is_valid():
            c = form.cleaned_data
            try:
                services.review_decide(
                    actor=request.user,
                    review=review,
                    approve=c["approve"],
                    opinion=c["opinion"],
                    version=c.get("version"),
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                status = 200 if exc.status == 422 else exc.status
            else:
                messages.success(request, gettext("已出具审查意见"))
                return redirect("legal:review", pk=pk)
    return render(
        request,
        "legal/review.html",
        {"r": review, "form": form, "events": selectors.review_events(review)},
        status=status,
    )
