"""A background export's page (progress, then the file) and its download: the requester's only."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhili.core import exports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = exports.export_get(request.user, pk)
    partial = getattr(request, "htmx", False)
    name = "core/_export_progress.html" if partial else "core/export.html"
    return render(request, name, {"job": job})


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    data, filename = exports.export_file(request.user, pk)
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
