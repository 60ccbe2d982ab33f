"""The second factor at the door: a signed-in user whose roles need it (org.second_factor) sees
only the enrolment or verification page until the session is verified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from zhili.org import second_factor

# Reachable before the second factor: signing in and out, the second-factor pages themselves,
# language, static files, health, and what the public uses anyway.
OPEN_PREFIXES = ("/login/", "/logout/", "/account/2fa/", "/i18n/", "/static/", "/healthz",
                 "/public/", "/open311/", "/favicon")  # fmt: skip


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        return refusal if refusal is not None else self.get_response(request)

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not second_factor.required():
            return None
        if request.path.startswith(OPEN_PREFIXES) or user.is_verified():
            return None
        if request.path.startswith("/api/"):
            return None  # tokens are not sessions; a session is checked by org.auth
        if not second_factor.needs_second_factor(user):
            return None
        name = "otp_verify" if second_factor.enrolled(user) else "otp_setup"
        return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
