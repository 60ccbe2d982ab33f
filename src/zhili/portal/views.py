"""The home page (the user's grants and the areas in their scope) and the password pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from zhili.areas.selectors import area_descendant_counts, area_scope_roots, openable_codes
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.todo import todos_for
from zhili.matters.selectors import field_reporter
from zhili.org import second_factor
from zhili.org.forms import OtpCodeForm
from zhili.org.selectors import my_grants, token_list
from zhili.org.services import token_revoke, user_set_password


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's work first (to-do counts that link to the queues; 上报 for those who report
    from the field), then their grants and the areas in their scope."""
    user = request.user
    roots = area_scope_roots(user)
    scope = [{"area": a, "counts": area_descendant_counts(a)} for a in roots[:6]]
    grants = list(my_grants(user))
    # A grant's area links to its page only where the user may open it (a unit's reporter or a
    # mediator holds a grant over an area whose page they cannot open).
    linked = openable_codes(roots, [g.area for g in grants])
    context = {
        "grants": grants,
        "linked": linked,
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


def _next_url(request: HttpRequest) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if ok else reverse("home")


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (made on the server), confirm with a first
    code, then read the recovery codes once."""
    from django_otp import login as otp_login

    device = second_factor.enrolment_device(request.user)
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = second_factor.enrol(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return render(
                request, "portal/otp_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    context = {
        "form": form,
        "qr": second_factor.qr_svg(device),
        "key": device_key(device),
        "enrolled": second_factor.enrolled(request.user),
        "next": _next_url(request),
    }
    return render(request, "portal/otp_setup.html", context)


def device_key(device: Any) -> str:
    """The key in base32, grouped by four, for typing into an app by hand."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The code from the authenticator (or a recovery code) after the password."""
    from django_otp import login as otp_login

    if not second_factor.enrolled(request.user):
        return redirect(f"{reverse('otp_setup')}?next={_next_url(request)}")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor.verify(user=request.user, code=form.cleaned_data["code"])
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return redirect(_next_url(request))
    return render(request, "portal/otp_verify.html", {"form": form, "next": _next_url(request)})
