"""The home page (the user's grants and the areas in their scope) and the password pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from zhili.areas.selectors import area_descendant_counts, area_scope_roots
from zhili.core.errors import NotFound
from zhili.core.todo import todos_for
from zhili.matters.selectors import field_reporter
from zhili.org.selectors import my_grants, token_list
from zhili.org.services import token_revoke, user_set_password


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's work first (to-do counts that link to the queues; 上报 for those who report
    from the field), then their grants and the areas in their scope."""
    user = request.user
    roots = area_scope_roots(user)
    scope = [{"area": a, "counts": area_descendant_counts(a)} for a in roots[:6]]
    context = {
        "grants": my_grants(user),
        "scope": scope,
        "todos": todos_for(user),
        "can_report": field_reporter(user),
    }
    return render(request, "portal/home.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "portal/password_change.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        """Through the service, so the new password and its audit event commit together."""
        user_set_password(
            actor=form.user, user=form.user, password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "portal/password_change_done.html"


@login_required
@require_GET
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own live API tokens (prefix, name, last use, expiry), each revocable."""
    return render(request, "portal/tokens.html", {"tokens": token_list(request.user)})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = token_list(request.user).filter(pk=pk).first()
    if token is None:
        raise NotFound(gettext("令牌不存在或已吊销"))
    token_revoke(actor=request.user, token=token)
    return redirect("tokens")
