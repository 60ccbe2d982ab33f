import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from zhili.core import context


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) that audit events carry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(request_id=request_id, ip=client_ip(request))
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class DomainErrorMiddleware:
    """A ZhiliError escaping a page view becomes a page with its Chinese message (never a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.shortcuts import render

        from zhili.core.errors import ZhiliError

        if not isinstance(exception, ZhiliError) or request.path.startswith("/api/"):
            return None
        return render(request, "core/error.html", {"error": exception}, status=exception.status)
