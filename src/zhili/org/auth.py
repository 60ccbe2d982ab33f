"""API authentication: `Authorization: Bearer <token>` or the browser session."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from zhili.org.services import token_authenticate


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The browser session, once past the second factor where the user's roles need it."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        from zhili.org import second_factor

        user = super().authenticate(request, key)
        if user is None or not second_factor.required():
            return user
        verified = getattr(request.user, "is_verified", lambda: False)()
        if not verified and second_factor.needs_second_factor(user):
            return None
        return user


api_auth = [BearerAuth(), VerifiedSessionAuth()]
