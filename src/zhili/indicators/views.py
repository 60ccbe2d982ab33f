"""Pages of the indicators app: figures per area and year with entry and import; the survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from zhili.areas.models import Area
from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.core.pickers import bind_pickers, filter_area
from zhili.core.scoping import can, has_any, require
from zhili.indicators import imports, selectors, services
from zhili.indicators.forms import ImportForm, ResponsesForm, ValueForm, WaveForm
from zhili.indicators.models import CreationSheet, IndicatorValue, SurveyWave
from zhili.indicators.presenters import figures_out, survey_out

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(request: HttpRequest) -> int:
    try:
        y = int(request.GET.get("year", ""))
    except ValueError:
        return dt.date.today().year
    return y if 2000 <= y <= 2100 else dt.date.today().year


SCOPES = {
    "value": "indicators.indicatorvalue.view",
    "wave": "indicators.surveywave.view",
    "sheet": "indicators.creationsheet.view",
}


def _area_or_error(request: HttpRequest, model: str = "value") -> tuple[Area | None, str]:
    """The page's area: picked or typed (a name, "上级 · 名称" or a code; core.pickers)."""
    text = request.GET.get("area", "").strip()
    code, error = filter_area(request.user, text, SCOPES[model]) if text else ("", "")
    if error:
        return None, error
    try:
        return selectors.area_for(request.user, code, model), ""
    except ZhiliError as exc:
        return None, exc.message


def _upload(form: Any) -> bytes | None:
    upload = form.cleaned_data["file"]
    if upload.size > settings.ZHILI_MAX_IMPORT_BYTES:
        form.add_error("file", gettext("文件过大"))
        return None
    data: bytes = upload.read()
    return data


@login_required
@require_http_methods(["GET", "POST"])
def values(request: HttpRequest) -> HttpResponse:
    area, error = _area_or_error(request)
    if area is None:
        area, _ = selectors.area_for(request.user, ""), None
    year = _year(request)
    value_form = ValueForm(request.POST if request.POST.get("form") == "value" else None)
    bind_pickers(value_form, request.user)
    import_form = ImportForm(
        request.POST if request.POST.get("form") == "import" else None, request.FILES or None
    )
    error_rows: list[dict[str, Any]] = []
    if request.method == "POST" and request.POST.get("form") == "value" and value_form.is_valid():
        c = value_form.cleaned_data
        try:
            target = c["area"]
            v = services.value_set(
                actor=request.user, indicator=c["indicator"], area=target, year=c["year"],
                month=c["month"], value=c["value"], components=c["components"] or None,
                source=c["source"], note=c["note"],
            )  # fmt: skip
        except ZhiliError as exc:
            value_form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("已保存：%(value)s（第 %(version)s 版）")
                % {"value": v, "version": v.version},
            )
            return redirect(f"{reverse('indicators:values')}?area={area.code}&year={year}")
    if request.method == "POST" and request.POST.get("form") == "import" and import_form.is_valid():
        data = _upload(import_form)
        if data is not None:
            try:
                written = services.values_import(
                    actor=request.user, data=data, source=import_form.cleaned_data["source"]
                )
            except ZhiliError as exc:
                import_form.add_error(None, exc.message)
                error_rows = exc.detail if isinstance(exc.detail, list) else []
            else:
                messages.success(
                    request, gettext("已导入 %(written)s 行") % {"written": len(written)}
                )
                return redirect(f"{reverse('indicators:values')}?area={area.code}&year={year}")
    f = figures_out(selectors.figures(request.user, area, year))
    children = selectors.area_names({c for x in f["figures"] for c in x["children"]})
    rows = [
        {"code": code, "name": name, "cells": [x["children"].get(code, 0) for x in f["figures"]]}
        for code, name in sorted(children.items())
    ]
    return render(
        request,
        "indicators/values.html",
        {
            "area": area, "year": year, "error": error, "f": f, "rows": rows,
            "value_form": value_form, "import_form": import_form, "error_rows": error_rows,
            "can_change": has_any(request.user, IndicatorValue, "change"),
            "can_import": has_any(request.user, IndicatorValue, "import"),
            "recent": selectors.recent_values(request.user, area, year),
            "years": range(dt.date.today().year + 1, dt.date.today().year - 6, -1),
        },
    )  # fmt: skip


@login_required
@require_GET
def value_detail(request: HttpRequest, pk: int) -> HttpResponse:
    v = selectors.value_get(request.user, pk)
    return render(
        request,
        "indicators/value_detail.html",
        {"v": v, "revisions": selectors.value_revisions(v)},
    )


@login_required
@require_GET
def values_template(request: HttpRequest) -> HttpResponse:
    head = list(imports.VALUE_HEAD)
    for ind in selectors.indicator_list(request.user):
        head += [c for c in ind.components if c not in head]
    example = ["petition_visits", settings.ZHILI_ROOT_CODE, dt.date.today().year, 1, 0, "信访办"]
    response = HttpResponse(imports.workbook(head, [example]), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="indicator-values.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def survey(request: HttpRequest) -> HttpResponse:
    area, error = _area_or_error(request, "wave")
    if area is None:
        area = selectors.area_for(request.user, "", "wave")
    year = _year(request)
    wave_form = WaveForm(request.POST if request.POST.get("form") == "wave" else None)
    bind_pickers(wave_form, request.user)
    if request.method == "POST" and request.POST.get("form") == "wave" and wave_form.is_valid():
        c = wave_form.cleaned_data
        try:
            target = c["area"]
            inst = selectors.instrument_default() or services.default_instrument()
            services.wave_create(actor=request.user, instrument=inst, area=target, year=c["year"],
                                 planned=c["planned"] or 0, source=c["source"] or "")  # fmt: skip
        except ZhiliError as exc:
            wave_form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已新增调查样本"))
            return redirect(f"{reverse('indicators:survey')}?area={area.code}&year={c['year']}")
    total, children = selectors.survey_overview(request.user, area, year)
    return render(
        request,
        "indicators/survey.html",
        {
            "area": area, "year": year, "error": error,
            "total": survey_out(total, year) if total else None,
            "children": [survey_out(r, year) for r in children],
            "waves": selectors.wave_list(request.user, year),
            "wave_form": wave_form,
            "can_add": has_any(request.user, SurveyWave, "add"),
            "instrument": selectors.instrument_default(),
            "years": range(dt.date.today().year + 1, dt.date.today().year - 6, -1),
        },
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def wave_import(request: HttpRequest, pk: int) -> HttpResponse:
    wave = selectors.wave_get(request.user, pk)
    require(request.user, "import", wave, noun=gettext("调查样本"))
    form = ResponsesForm(request.POST or None, request.FILES or None)
    error_rows: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = _upload(form)
        if data is not None:
            try:
                n = services.responses_import(actor=request.user, wave=wave, data=data)
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                error_rows = exc.detail if isinstance(exc.detail, list) else []
            else:
                messages.success(request, gettext("已导入 %(n)s 条回答") % {"n": n})
                return redirect(
                    f"{reverse('indicators:survey')}?area={wave.area.code}&year={wave.year}"
                )
    back = f"{reverse('indicators:survey')}?area={wave.area.code}&year={wave.year}"
    return render(
        request,
        "core/form_page.html",
        {"form": form, "error_rows": error_rows, "title": gettext("导入调查回答 · %(wave)s") % {"wave": wave},
         "back_url": back, "submit_label": gettext("导入")},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def creation(request: HttpRequest) -> HttpResponse:
    """平安创建 scores: a district's streets or a street's communities, each explaining itself."""
    from zhili.indicators.creation import creation_scores

    area, error = _area_or_error(request, "sheet")
    if area is None:
        area = selectors.area_for(request.user, "", "sheet")
    year = _year(request)
    sheet: Any = None
    rows: list[Any] = []
    pass_error = ""
    try:
        sheet, rows = creation_scores(request.user, area, year, dt.date.today())
    except ZhiliError as exc:
        error = exc.message
    if request.method == "POST" and sheet is not None:
        try:
            services.creation_pass_line_set(
                actor=request.user, sheet=sheet, pass_line=request.POST.get("pass_line", "")
            )
        except ValidationFailed as exc:
            pass_error = exc.message
        else:
            messages.success(
                request, gettext("达标线已改为 %(pass_line)s 分") % {"pass_line": sheet.pass_line}
            )
            return redirect(f"{reverse('indicators:creation')}?area={area.code}&year={year}")
    elif request.method == "POST":
        raise ValidationFailed(error or gettext("请先选择区县或街道"), code="invalid_area")
    return render(
        request,
        "indicators/creation.html",
        {"area": area, "year": year, "sheet": sheet, "rows": rows, "error": error,
         "pass_error": pass_error,
         "can_change": can(request.user, "change", CreationSheet, f"{settings.ZHILI_ROOT_CODE}/"),
         "years": range(dt.date.today().year, dt.date.today().year - 6, -1)},
    )  # fmt: skip
