"""Area pages: tree browser, detail, grid/building forms, imports, boundaries. Thin."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from zhili.areas import geo, imports, selectors, services
from zhili.areas.forms import AreaChildForm, BoundaryUploadForm, ImportForm
from zhili.areas.models import Area, Boundary, Level
from zhili.core.errors import PermissionDenied, ValidationFailed, ZhiliError
from zhili.core.scoping import can, has_any
from zhili.core.selectors import object_history

CHILD_LEVEL = {Level.COMMUNITY.value: Level.GRID.value, Level.GRID.value: Level.BUILDING.value}


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    roots = selectors.area_scope_roots(request.user)
    results = selectors.area_search(request.user, query, include_history=True) if query else []
    counts = selectors.area_child_counts(roots)
    return render(
        request,
        "areas/tree.html",
        {
            "roots": [(a, counts.get(a.pk, 0)) for a in roots],
            "query": query,
            "results": results,
            "can_import": has_any(request.user, Area, "import"),
        },
    )


@login_required
def children(request: HttpRequest, code: str) -> HttpResponse:
    """htmx partial: one level of the tree below ``code``."""
    area = selectors.area_get(request.user, code)
    kids = list(selectors.area_children(request.user, area).order_by("code"))
    counts = selectors.area_child_counts(kids)
    return render(
        request, "areas/_children.html", {"nodes": [(a, counts.get(a.pk, 0)) for a in kids]}
    )


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.area_get(request.user, code)
    kids = list(selectors.area_children(request.user, area).order_by("code")[:500])
    counts = selectors.area_child_counts(kids)
    user = request.user
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            # (ancestor, linkable): ancestors above the user's scope are named but not linked.
            "ancestors": [
                (a, can(user, "view", Area, a.path)) for a in selectors.area_ancestors(area)
            ],
            "children": [(a, counts.get(a.pk, 0)) for a in kids],
            "counts": selectors.area_descendant_counts(area) if area.is_current else {},
            "changes": selectors.area_history(area),
            "former_children": selectors.area_former_children(area) if not area.is_current else [],
            "boundary": selectors.boundary_active(area),
            "child_level": CHILD_LEVEL.get(area.level),
            "can_add": area.is_current
            and area.level in CHILD_LEVEL
            and can(user, "add", Area, area.path),
            "can_edit": area.is_current
            and area.level in services.EDITABLE_LEVELS
            and can(user, "change", Area, area.path),
            "can_import": area.is_current and can(user, "import", Area, area.path),
            "history": object_history(user, area)[:20],
        },
    )


def _child_kwargs(form: AreaChildForm) -> dict[str, Any]:
    d = form.cleaned_data
    return {
        "name": d["name"],
        "households": d["households"],
        "address": d["address"] or "",
        "lat": d["lat"],
        "lng": d["lng"],
        "geometry": d["geometry"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def create_child(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.area_get(request.user, code)
    level = CHILD_LEVEL.get(parent.level)
    if level is None:
        raise ValidationFailed(
            gettext("%(get_level_display)s下不能直接新建网格或楼栋")
            % {"get_level_display": parent.get_level_display()}
        )
    form = AreaChildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(
                actor=request.user,
                parent=parent,
                level=level,
                code=form.cleaned_data["code"] or "",
                **_child_kwargs(form),
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                gettext("已新建%(get_level_display)s：%(name)s（%(code)s）")
                % {
                    "get_level_display": area.get_level_display(),
                    "name": area.name,
                    "code": area.code,
                },
            )
            return redirect("areas:detail", code=area.code)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": gettext("在 %(name)s 下新建%(Level)s")
            % {"name": parent.name, "Level": Level(level).label},
            "back_url": parent_url(parent),
            "back_label": parent.name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.area_get(request.user, code)
    form = AreaChildForm(request.POST or None, initial=AreaChildForm.initial_for(area))
    form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.area_update(actor=request.user, area=area, **_child_kwargs(form))
        except ZhiliError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, gettext("已保存"))
            return redirect("areas:detail", code=area.code)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": gettext("编辑%(get_level_display)s：%(name)s")
            % {"get_level_display": area.get_level_display(), "name": area.name},
            "back_url": parent_url(area),
            "back_label": area.name,
        },
    )


def parent_url(area: Area) -> str:
    from django.urls import reverse

    return reverse("areas:detail", args=[area.code])


@login_required
@require_http_methods(["GET", "POST"])
def import_areas(request: HttpRequest) -> HttpResponse:
    if not has_any(request.user, Area, "import"):
        raise PermissionDenied(gettext("没有导入网格和楼栋的权限"))
    form = ImportForm(request.POST or None, request.FILES or None)
    error_rows: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.ZHILI_MAX_IMPORT_BYTES:
            form.add_error("file", gettext("文件过大"))
        else:
            try:
                result = imports.areas_import(
                    actor=request.user, data=upload.read(), filename=upload.name
                )
            except ZhiliError as exc:
                form.add_error(None, exc.message)
                error_rows = exc.detail if isinstance(exc.detail, list) else []
            else:
                messages.success(
                    request, gettext("已导入 %(len)s 个网格/楼栋") % {"len": len(result.created)}
                )
                return redirect("areas:tree")
    return render(
        request,
        "areas/import.html",
        {"form": form, "error_rows": error_rows, "title": gettext("导入网格和楼栋")},
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(
        imports.template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="grid-building-template.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def boundaries(request: HttpRequest) -> HttpResponse:
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    error_rows: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = geo.boundaries_upload(
                actor=request.user,
                data=upload.read(),
                source=form.cleaned_data["source"],
                approval_no=form.cleaned_data["approval_no"],
            )
        except ZhiliError as exc:
            form.add_error(None, exc.message)
            error_rows = exc.detail if isinstance(exc.detail, list) else []
        else:
            messages.success(
                request, gettext("已更新 %(len)s 个区域的边界") % {"len": len(created)}
            )
            return redirect("areas:boundaries")
    rows = selectors.boundary_list(request.user)
    return render(
        request,
        "areas/boundaries.html",
        {
            "rows": rows,
            "form": form,
            "error_rows": error_rows,
            "can_upload": has_any(request.user, Boundary, "change"),
        },
    )


@login_required
@require_GET
def boundary_template(request: HttpRequest) -> HttpResponse:
    from zhili.areas.boundary_xlsx import template_xlsx

    response = HttpResponse(
        template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="boundary-template.xlsx"'
    return response


@login_required
def boundaries_geojson(request: HttpRequest) -> JsonResponse:
    """Active district polygons in the user's scope, for the ECharts map."""
    rows = selectors.boundary_list(request.user, current_only=True)
    features = [
        {
            "type": "Feature",
            "properties": {"name": b.area.name, "code": b.area.code, "approximate": b.approximate},
            "geometry": b.geometry,
        }
        for b in rows
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
def locate(request: HttpRequest) -> HttpResponse:
    try:
        lat, lng = float(request.GET.get("lat", "")), float(request.GET.get("lng", ""))
    except ValueError:
        raise ValidationFailed(gettext("请填写有效的经纬度")) from None
    found = geo.area_locate(lat=lat, lng=lng)
    return redirect("areas:detail", code=found.code)
