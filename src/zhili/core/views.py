"""Shell pages: login, audit search, health (the home and password pages are the portal's)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from zhili.core.forms import AuditFilterForm, LoginForm
from zhili.core.pagination import keyset_page
from zhili.core.selectors import audit_search


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = audit_search(
        request.user,
        query=data.get("q") or "",
        action=data.get("action") or "",
        actor=data.get("actor") or "",
        object_type=request.GET.get("object_type", ""),
        object_id=request.GET.get("object_id", ""),
        since=data.get("since"),
        until=data.get("until"),
    )
    page = keyset_page(qs, order=("-id",), cursor=request.GET.get("cursor"), limit=50)
    params = request.GET.copy()
    params.pop("cursor", None)
    return render(
        request, "core/audit_list.html", {"form": form, "page": page, "params": params.urlencode()}
    )


def healthz(request: HttpRequest) -> JsonResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
