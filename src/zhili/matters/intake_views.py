"""Registering matters: the staff form (代报, 12345 热线, 楼栋工作日, 上级交办) and the grid
worker's phone form (with 自行处置). Thin: the services check everything and their messages are
shown on the form, with what was typed (and the photos already stored) kept."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from zhili.areas.selectors import area_by_code
from zhili.core.errors import PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.scoping import has_any
from zhili.matters import selectors, services
from zhili.matters.forms import GridReportForm, MatterCreateForm, question_rows, read_answers
from zhili.matters.models import Channel, Matter


def _need_add(user: Any) -> None:
    if not has_any(user, Matter, "add"):
        raise PermissionDenied(gettext("您没有登记诉求的权限"))


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    """Staff intake: 代报, 12345 热线, 楼栋工作日, 上级交办."""
    user = request.user
    _need_add(user)
    form = MatterCreateForm(request.POST or None, request.FILES or None)
    if form.is_bound and not form.is_valid() and "photos" not in form.errors:
        form.store_photos()  # another field is wrong: the chosen photos are kept for the next try
    if request.method == "POST" and form.is_valid():
        photos = form.store_photos()
        if photos is not None:
            d = form.cleaned_data
            try:
                area = area_by_code(d["area"]) if d["area"] else None
                if d["area"] and area is None:
                    raise ValidationFailed(
                        gettext("区域 %(d)s 不存在") % {"d": d["area"]}, code="area_not_found"
                    )
                matter = services.matter_create(
                    actor=user,
                    category=_category(form),
                    channel=d["channel"],
                    title=d["title"],
                    description=d["description"],
                    area=area,
                    address=d["address"],
                    reporter_name=d["reporter_name"],
                    reporter_phone=d["reporter_phone"],
                    anonymous=d["anonymous"],
                    answers=read_answers(request.POST, form.category_obj()),
                    attachments=photos,
                )
            except ZhiliError as exc:
                form.show_refusal(exc)
            else:
                messages.success(
                    request, gettext("已登记诉求，编号 %(number)s。") % {"number": matter.number}
                )
                return redirect("matters:detail", number=matter.number)
    return render(request, "matters/new.html", _intake_context(request, form, user=user))


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The grid worker's phone form; "现场已处置" closes the matter at once with the photos."""
    user = request.user
    _need_add(user)
    areas = selectors.report_areas(user)
    form = GridReportForm(request.POST or None, request.FILES or None, areas=areas)
    if form.is_bound and not form.is_valid() and "photos" not in form.errors:
        form.store_photos()  # another field is wrong: the chosen photos are kept for the next try
    if request.method == "POST" and form.is_valid():
        photos = form.store_photos()
        if photos is not None:
            d = form.cleaned_data
            try:
                with transaction.atomic():  # a refused 自行处置 leaves no half-made matter
                    matter = services.matter_create(
                        actor=user,
                        category=_category(form),
                        channel=Channel.GRID,
                        description=d["description"],
                        area=area_by_code(d["area"]) if d["area"] else None,
                        lat=d["lat"],
                        lng=d["lng"],
                        coord_system=d["coord_system"] or "wgs84",
                        address=d["address"],
                        reporter_name=d["reporter_name"],
                        reporter_phone=d["reporter_phone"],
                        answers=read_answers(request.POST, form.category_obj()),
                        attachments=photos,
                    )
                    if d["self_handled"]:
                        matter = services.matter_self_handle(
                            actor=user, matter=matter, result=d["result"], attachments=photos
                        )
            except ZhiliError as exc:
                form.show_refusal(exc)
            else:
                return redirect("matters:report_done", number=matter.number)
    context = _intake_context(request, form, user=None)
    context["has_areas"] = bool(areas)
    return render(request, "matters/report.html", context)


def _category(form: Any) -> Any:
    category = form.category_obj()
    if category is None:
        raise ValidationFailed(gettext("请选择诉求类别"), code="invalid_category")
    return category


def _intake_context(request: HttpRequest, form: Any, *, user: Any) -> dict[str, Any]:
    """The category's hint and questions, and (staff form) the area picker's selects."""
    category = form.category_obj()
    context: dict[str, Any] = {
        "form": form,
        "category": category,
        "questions": question_rows(
            category,
            read_answers(request.POST, category) if form.is_bound else {},
            errors=form.question_errors(),
        ),
        "stored": getattr(form, "stored", []),
        "with_anonymous": "anonymous" in form.fields,
        "anonymous_checked": "anonymous" in form.fields and bool(form["anonymous"].value()),
    }
    if user is not None:
        chosen = form["area"].value() or ""
        context["chain"] = selectors.area_picker_chain(
            user, chosen, choose_single_root=not form.is_bound
        )
        context["options_url"] = "matters:area_options"
    return context


@login_required
@require_GET
def report_done(request: HttpRequest, number: str) -> HttpResponse:
    matter = selectors.matter_get(request.user, number)
    return render(request, "matters/report_done.html", {"matter": matter})


@login_required
@require_GET
def area_options(request: HttpRequest) -> HttpResponse:
    """htmx: the next select of the staff area picker."""
    area = selectors.area_picker_area(request.user, request.GET.get("area", ""))
    options = selectors.area_picker_children(request.user, area) if area else []
    return render(
        request,
        "matters/_area_chain.html",
        {
            "chain": [{"options": options, "selected": ""}] if options else [],
            "options_url": "matters:area_options",
        },
    )
