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


api_auth = [BearerAuth(), SessionAuth()]
