"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json)."""

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from zhili.areas.api import router as areas_router
from zhili.cockpit.api import router as cockpit_router
from zhili.compounds.api import router as compounds_router
from zhili.core.api import router as core_router
from zhili.core.errors import ZhiliError
from zhili.deliberation.api import router as deliberation_router
from zhili.disputes.api import router as disputes_router
from zhili.indicators.api import router as indicators_router
from zhili.legal.api import router as legal_router
from zhili.matters.api import router as matters_router
from zhili.org.api import router as org_router
from zhili.org.auth import api_auth
from zhili.points.api import router as points_router
from zhili.portal.api import router as portal_router
from zhili.risks.api import router as risks_router
from zhili.screens.api import router as screens_router
from zhili.targets.api import router as targets_router
from zhili.visits.api import router as visits_router
from zhili.wages.api import router as wages_router

# Answers any operation may give, documented on every operation of the OpenAPI (the runtime
# response models stay as each module declared them): a NUL or a malformed body (400), a stale
# version or an intake key still in progress (409, with a body), a body over the limit (413), a
# parameter or body that does not validate (422); 401/403 where a login is needed; 404 always.
COMMON_ERRORS = {
    400: "请求格式不正确（如含 NUL 字符、JSON 无效、分页游标无效）",
    401: "未登录或接口令牌无效",
    403: "没有权限",
    404: "对象不存在或不在您的管辖范围内",
    409: "版本冲突或相同幂等键的请求正在处理",
    413: "请求内容过大",
    422: "请求参数有误",
}


class ZhiliAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                has_body = "requestBody" in operation
                secured = bool(operation.get("security"))
                for status, text in COMMON_ERRORS.items():
                    if status in (409, 413) and not has_body:
                        continue
                    if status in (401, 403) and not secured:
                        continue
                    operation["responses"].setdefault(
                        status,
                        {
                            "description": text,
                            "content": {"application/json": {"schema": error_ref}},
                        },
                    )
                # Refused by the HTTP server before the application (gunicorn's page, HTML).
                operation["responses"].setdefault(
                    414,
                    {
                        "description": "请求行过长（超过 HTTP 服务器的上限 4,094 字节）",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                )
        return schema


api = ZhiliAPI(
    title="Zhili 治理 API",
    version="1",
    description="市域社会治理平台接口。认证：`Authorization: Bearer <token>`（`zhili token create USERNAME`）或登录会话。",
    auth=api_auth,
    urls_namespace="api",
)


def _error(request: HttpRequest, status: int, code: str, message: str, detail=None) -> HttpResponse:  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"code": code, "message": message, "detail": detail}, status=status
    )


@api.exception_handler(ZhiliError)
def on_domain_error(request: HttpRequest, exc: ZhiliError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.message, exc.detail)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = [
        {"loc": [str(p) for p in e.get("loc", [])], "message": e.get("msg", "")} for e in exc.errors
    ]
    return _error(request, 422, "invalid", "请求参数有误", detail)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthenticated", "请先登录或提供有效的接口令牌")


@api.exception_handler(AuthorizationError)
def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _error(request, 403, "forbidden", "没有权限")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "对象不存在或不在您的管辖范围内")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # django-ninja's own refusals (e.g. a body that is not JSON) in English go to detail.
    message = {400: "请求格式不正确", 429: "请求过于频繁"}.get(exc.status_code, "请求无法处理")
    return _error(request, exc.status_code, "bad_request", message, str(exc))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Logged with its traceback; the client gets the error body only, DEBUG or not."""
    from django.core.exceptions import RequestDataTooBig

    from zhili.core import context

    if isinstance(exc, RequestDataTooBig):
        return _error(request, 413, "too_large", "请求内容过大")
    logging.getLogger("zhili.errors").error(
        "%s %s failed", request.method, request.path, exc_info=exc
    )
    request_id = context.current().request_id
    return _error(
        request, 500, "server_error", f"服务器内部错误，请联系系统管理员（请求编号 {request_id}）"
    )


api.add_router("/areas", areas_router)
api.add_router("/org", org_router)
api.add_router("", portal_router)
api.add_router("", core_router)
api.add_router("", matters_router)
api.add_router("/metrics", "zhili.matters.metrics_api.router")
api.add_router("/risks", risks_router)
api.add_router("/disputes", disputes_router)
api.add_router("/targets", targets_router)
api.add_router("/visits", visits_router)
api.add_router("/compounds", compounds_router)
api.add_router("/deliberation", deliberation_router)
api.add_router("/legal", legal_router)
api.add_router("/indicators", indicators_router)
api.add_router("/cockpit", cockpit_router)
api.add_router("/screens", screens_router)
api.add_router("/points", points_router)
api.add_router("/wages", wages_router)
