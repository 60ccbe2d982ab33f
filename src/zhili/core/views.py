"""Shell pages: home (the user's scope), login, password change, audit search."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from zhili.core.forms import AuditFilterForm, LoginForm
from zhili.core.pagination import keyset_page
from zhili.core.selectors import audit_search


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        """Through the service, so the new password and its audit event commit together."""
        from zhili.org.services import user_set_password

        user_set_password(
            actor=form.user, user=form.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


@login_required
def home(request: HttpRequest) -> HttpResponse:
    from zhili.areas.selectors import area_descendant_counts, area_scope_roots
    from zhili.org.selectors import my_grants

    roots = area_scope_roots(request.user)
    scope = [{"area": a, "counts": area_descendant_counts(a)} for a in roots[:6]]
    return render(request, "core/home.html", {"grants": my_grants(request.user), "scope": scope})


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
