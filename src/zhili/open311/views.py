"""Open311 GeoReport v2 endpoints (thin): parse, call a selector or service, render.

Errors are the specification's list ``[{"code", "description"}]`` (``<errors><error>…``) with
404 for unknown resources, 403 for a missing or invalid api_key and 400 for anything else the
request got wrong. Open311 clients send no CSRF token: the POST endpoint is exempt explicitly.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from zhili.core.errors import ZhiliError
from zhili.open311 import inputs, presenters, selectors, services
from zhili.open311.models import Open311Key
from zhili.open311.renderers import respond

log = logging.getLogger(__name__)
PASSED_THROUGH = (403, 404, 429)  # every other failure is a 400, as the specification asks

View = Callable[..., HttpResponse]


def error(fmt: str, status: int, message: str) -> HttpResponse:
    return respond(fmt, "errors", presenters.errors_out(status, message), status=status)


def open311(*methods: str) -> Callable[[View], View]:
    """Method check and error translation: a ZhiliError becomes the spec's error list."""

    def wrap(view: View) -> View:
        @functools.wraps(view)
        def run(request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any) -> Any:
            allowed = (*methods, "HEAD") if "GET" in methods else methods
            if request.method not in allowed:
                response = error(fmt, 405, f"不支持 {request.method} 方法")
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, *args, fmt=fmt, **kwargs)
            except ZhiliError as exc:
                status = exc.status if exc.status in PASSED_THROUGH else 400
                return error(fmt, status, exc.message)
            except Exception:  # "400 - General service error": the client should notify us
                log.exception("Open311 %s %s failed", request.method, request.path)
                return error(fmt, 400, "服务处理出错，请稍后重试或联系系统管理员")

        return run

    return wrap


def _optional_key(request: HttpRequest) -> Open311Key | None:
    """Reads need no key; a key that is given must be valid, and its area limits the read."""
    raw = (request.GET.get("api_key") or "").strip()
    return services.key_authenticate(raw) if raw else None


def _scope(request: HttpRequest) -> Any:
    jurisdiction = inputs.text(request.GET, "jurisdiction_id", 32)
    return selectors.read_scope(_optional_key(request), jurisdiction)


@open311("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    url = request.build_absolute_uri(reverse("open311:root")).rstrip("/")
    data = presenters.discovery_out(url, selectors.catalogue_changeset())
    return respond(fmt, "discovery", data)


@open311("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    _scope(request)  # an unknown jurisdiction_id is a 404
    data = [presenters.service_out(c) for c in selectors.service_list()]
    return respond(fmt, "services", data)


@open311("GET")
def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _scope(request)
    data = presenters.definition_out(selectors.service_get(code))
    return respond(fmt, "service_definition", data)


@csrf_exempt
@open311("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    scope = _scope(request)
    matters = selectors.request_list(scope, inputs.request_query(request.GET))
    areas = selectors.area_names(matters)
    return respond(fmt, "service_requests", [presenters.request_out(m, areas) for m in matters])


def _submit(request: HttpRequest, fmt: str) -> HttpResponse:
    raw = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    key = services.key_authenticate(raw)
    submission = services.request_submit(key=key, data=inputs.submission(request.POST))
    response = respond(fmt, "service_requests", [presenters.submit_out(submission)], status=201)
    response["Location"] = reverse(
        "open311:request", kwargs={"number": submission.matter.number, "fmt": fmt}
    )
    return response


@open311("GET")
def request_detail(request: HttpRequest, number: str, fmt: str) -> HttpResponse:
    matter = selectors.request_get(_scope(request), number)
    areas = selectors.area_names([matter])
    return respond(fmt, "service_requests", [presenters.request_out(matter, areas)])


@open311("GET")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    found = selectors.token_get(_scope(request), token)
    return respond(fmt, "service_requests", [presenters.token_out(found)])


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("open311:discovery", kwargs={"fmt": "json"}))


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "xml" if rest.endswith(".xml") else "json"
    return error(fmt, 404, f"没有这个 Open311 资源：{request.path}")
