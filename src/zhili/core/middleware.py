import uuid
from collections.abc import Callable
from typing import Any

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


def _has_nul(request: HttpRequest) -> bool:
    """PostgreSQL text cannot hold NUL: a query with one would fail deep inside as a 500."""
    if "\x00" in request.path:
        return True
    params = [*request.GET.lists()]
    if request.method == "POST":
        params += request.POST.lists()
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params)


class DomainErrorMiddleware:
    """A ZhiliError escaping a page view becomes a page with its Chinese message (never a 500).

    Requests carrying a NUL character are refused up front, in the API's shape under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from zhili.core.errors import ZhiliError

        if _has_nul(request):
            error = ZhiliError("请求中含有不允许的空字符（NUL）", code="invalid_character")
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(error.as_dict(), status=error.status)
            return self._page(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from zhili.core.errors import ZhiliError

        if not isinstance(exception, ZhiliError) or request.path.startswith("/api/"):
            return None
        return self._page(request, exception)

    @staticmethod
    def _page(request: HttpRequest, error: Any) -> HttpResponse:
        from django.shortcuts import render

        return render(request, "core/error.html", {"error": error}, status=error.status)


class ChosenLanguageMiddleware:
    """Chinese unless the user chose another language (the footer's switch sets a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English browser
    got Django's own messages in English inside Chinese pages; here only an explicit choice counts.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
