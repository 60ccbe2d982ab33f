import functools
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from zhili.core import context


def _trusted(address: str, networks: list[Any]) -> bool:
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a reverse proxy listed in ZHILI_TRUSTED_PROXIES (addresses
    or networks), the right-most X-Forwarded-For entry that is not itself a trusted proxy;
    a header from anyone else is ignored (it could be forged)."""
    import ipaddress

    from django.conf import settings

    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_proxy_networks(tuple(getattr(settings, "ZHILI_TRUSTED_PROXIES", ())))
    if not remote or not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        try:
            hop = str(ipaddress.ip_address(hop))
        except ValueError:
            return remote  # a malformed chain: fall back to the proxy's own address
        if not _trusted(hop, networks):
            return hop
    return remote


@functools.lru_cache(maxsize=8)
def trusted_proxy_networks(entries: tuple[str, ...]) -> list[Any]:
    import ipaddress

    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


class RequestContextMiddleware:
    """Gives every request an id (echoed as X-Request-ID) that audit events carry."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        token = context.set_current(
            context.RequestContext(request_id=request_id, ip=client_ip(request), memo={})
        )
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SessionRenewalMiddleware:
    """Renews a signed-in session's idle timeout at most once a ``SESSION_RENEW_SECONDS``
    (instead of Django's SESSION_SAVE_EVERY_REQUEST, which writes the session row on every
    request: three statements on every page). The timeout is then exact to within that many
    seconds; a session changed by the request is saved (and renewed) as always."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty():
            return response
        from django.conf import settings

        now = int(time.time())
        if now - int(session.get(RENEWED_KEY, 0)) >= settings.SESSION_RENEW_SECONDS:
            session[RENEWED_KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


RENEWED_KEY = "_renewed_at"


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
# Paths answered in a machine-readable shape: the JSON API and the Open311 GeoReport feed.
API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"


def _contains_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 200:
        return False
    if isinstance(value, dict):
        return any(
            _contains_nul(k, depth + 1) or _contains_nul(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_contains_nul(v, depth + 1) for v in value)
    return False


def _body_has_nul(request: HttpRequest) -> bool:
    """A JSON (or other raw) body holding a NUL character, literally or as ``\\u0000``."""
    body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (RequestDataTooBig beyond)
    if b"\x00" in body:
        return True
    if b"\\u0000" not in body:
        return False
    import json

    try:
        return _contains_nul(json.loads(body))
    except (ValueError, RecursionError):
        return False  # not JSON: the view's own parser refuses it


def _has_nul(request: HttpRequest) -> bool:
    """PostgreSQL text cannot hold NUL: a value with one would fail deep inside as a 500.

    One check for every input: the path, the query string, form fields and raw (JSON) bodies."""
    if "\x00" in request.path:
        return True
    params = [*request.GET.lists()]
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        if content_type in FORM_TYPES:
            params += request.POST.lists()
            names = [f.name or "" for _, files in request.FILES.lists() for f in files]
            if any("\x00" in name for name in names):
                return True
        elif _body_has_nul(request):
            return True
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params)


def machine_error(
    request: HttpRequest, status: int, code: str, message: str
) -> HttpResponse | None:
    """The error in the shape of the API the path belongs to (None for pages)."""
    from django.http import JsonResponse

    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": code, "message": message, "detail": None}, status=status)
    if request.path.startswith(OPEN311_PREFIX):
        if request.path.endswith(".xml"):
            from xml.sax.saxutils import escape

            xml = (
                '<?xml version="1.0" encoding="utf-8"?><errors><error>'
                f"<code>{status}</code><description>{escape(message)}</description>"
                "</error></errors>"
            )
            return HttpResponse(xml, status=status, content_type="text/xml; charset=utf-8")
        return JsonResponse(
            [{"code": status, "description": message}],
            status=status,
            safe=False,
            json_dumps_params={"ensure_ascii": False},
        )
    return None


class DomainErrorMiddleware:
    """A ZhiliError escaping a page view becomes a page with its Chinese message (never a 500).

    Requests carrying a NUL character are refused up front (400), a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, in the API's shape under /api/ and /open311/. An
    unexpected exception under those paths is logged and answered with the API's error body,
    never a traceback, even with DEBUG on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

        from zhili.core.errors import ZhiliError

        try:
            refused = _has_nul(request)
        except RequestDataTooBig:
            return self._refuse(
                request, ZhiliError(gettext("请求内容过大"), code="too_large"), status=413
            )
        except TooManyFieldsSent:
            return self._refuse(
                request, ZhiliError(gettext("请求字段过多"), code="too_many_fields")
            )
        if refused:
            error = ZhiliError(gettext("请求中含有不允许的空字符（NUL）"), code="invalid_character")
            return self._refuse(request, error)
        from zhili.core import idempotency

        if idempotency.applies(request):

            def refuse(status: int, code: str, message: str) -> HttpResponse:
                return self._refuse(request, ZhiliError(message, code=code), status=status)

            return idempotency.run(request, self.get_response, refuse)
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, error: Any, status: int | None = None) -> HttpResponse:
        status = status or error.status
        answer = machine_error(request, status, error.code, error.message)
        if answer is not None:
            return answer
        return self._page(request, error, status)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import RequestDataTooBig

        from zhili.core.errors import ZhiliError

        machine = request.path.startswith((API_PREFIX, OPEN311_PREFIX))
        if isinstance(exception, RequestDataTooBig):
            return self._refuse(
                request, ZhiliError(gettext("请求内容过大"), code="too_large"), status=413
            )
        if isinstance(exception, ZhiliError):
            if machine:
                return machine_error(request, exception.status, exception.code, exception.message)
            return self._page(request, exception)
        if machine:
            from django.core.exceptions import PermissionDenied, SuspiciousOperation
            from django.http import Http404

            if isinstance(exception, Http404):
                return machine_error(
                    request, 404, "not_found", gettext("对象不存在或不在您的管辖范围内")
                )
            if isinstance(exception, PermissionDenied):
                return machine_error(request, 403, "forbidden", gettext("没有权限"))
            if isinstance(exception, SuspiciousOperation):
                return machine_error(request, 400, "bad_request", gettext("请求格式不正确"))
            import logging

            logging.getLogger("zhili.errors").error(
                "%s %s failed", request.method, request.path, exc_info=exception
            )
            request_id = context.current().request_id
            return machine_error(
                request,
                500,
                "server_error",
                gettext("服务器内部错误，请联系系统管理员（请求编号 %(request_id)s）")
                % {"request_id": request_id},
            )
        return None

    @staticmethod
    def _page(request: HttpRequest, error: Any, status: int | None = None) -> HttpResponse:
        from django.shortcuts import render

        return render(request, "core/error.html", {"error": error}, status=status or error.status)


class ChosenLanguageMiddleware:
    """Chinese unless the user chose another language (the footer's switch sets a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English browser
    got Django's own messages in English inside Chinese pages; here only an explicit choice counts.
    Under /api/ a client has no footer to click: there its ``Accept-Language`` is that choice
    (labels and error messages in English for ``en``; the codes never change).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        available = {code for code, _ in settings.LANGUAGES}
        api = request.path.startswith(API_PREFIX)
        if api and chosen not in available:
            chosen = _accepted_language(request.headers.get("Accept-Language", ""), available)
        language = chosen if chosen in available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if api:
            patch_vary_headers(response, ("Accept-Language",))
        translation.deactivate()
        return response


def _accepted_language(header: str, available: set[str]) -> str:
    """The first language of an ``Accept-Language`` header that Zhili speaks ("en-US" is "en",
    "zh-CN" is "zh-hans"), or ""."""
    from django.utils.translation import get_supported_language_variant
    from django.utils.translation.trans_real import parse_accept_lang_header

    for code, _q in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            language = get_supported_language_variant(code)
        except LookupError:
            continue
        if language in available:
            return language
    return ""
