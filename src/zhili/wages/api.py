"""The wages API at /api/v1/wages/: the same services and scoped selectors as the pages."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.wages import presenters, selectors, services
from zhili.wages.schemas import (
    WagesAssignIn,
    WagesBlacklistPageOut,
    WagesDistrictOut,
    WagesImportOut,
    WagesNoteIn,
    WagesProjectDetailOut,
    WagesProjectPageOut,
    WagesRuleOut,
    WagesWarningOut,
    WagesWarningPageOut,
)

ImportKindIn = Literal["roster", "attendance", "paytable", "bank", "labour"]  # models.ImportKind

router = Router(tags=["wages"])
ERRORS: dict[int, Any] = {c: ErrorOut for c in (400, 401, 403, 404, 409, 422)}


class WagesProjectFilters(Schema):
    q: str = ""
    area: str = ""
    cursor: str | None = None
    limit: int = 50


class WagesWarningFilters(Schema):
    status: str = "active"
    severity: str = ""
    rule: str = ""
    area: str = ""
    cursor: str | None = None
    limit: int = 50


class WagesBlacklistFilters(Schema):
    q: str = ""
    all: bool = False
    cursor: str | None = None
    limit: int = 50


@router.get("/projects", response={200: WagesProjectPageOut, **ERRORS}, summary="在建项目")
def list_projects(request: HttpRequest, f: Query[WagesProjectFilters]) -> Any:
    qs = selectors.project_list(request.user, q=f.q, area=f.area)
    page = keyset_page(qs, order=("-id",), cursor=f.cursor, limit=f.limit)
    return {"items": [presenters.project_out(p) for p in page.items], "next": page.next}


@router.get("/projects/{pk}", response={200: WagesProjectDetailOut, **ERRORS}, summary="一个项目")
def get_project(request: HttpRequest, pk: int) -> Any:
    return presenters.project_detail_out(selectors.project_get(request.user, pk))


@router.post(
    "/projects/{pk}/imports",
    response={201: WagesImportOut, 200: WagesImportOut, **ERRORS},
    summary="导入花名册、考勤、工资表、银行代发或人工费拨付记录（xlsx/CSV，整份校验）",
)
def import_file(
    request: HttpRequest, pk: int, kind: Form[ImportKindIn], file: File[UploadedFile]
) -> Any:
    project = selectors.project_get(request.user, pk)
    batch, new = services.project_import(
        actor=request.user,
        project=project,
        kind=kind,
        data=file.read(),
        filename=file.name or "upload",
    )
    out = {"id": batch.pk, "kind": batch.kind, "rows": batch.rows, "new": new}
    return Status(201 if new else 200, out)


@router.get("/warnings", response={200: WagesWarningPageOut, **ERRORS}, summary="欠薪预警")
def list_warnings(request: HttpRequest, f: Query[WagesWarningFilters]) -> Any:
    filters = selectors.WarningFilters(
        status=f.status, severity=f.severity, rule=f.rule, area=f.area
    )
    qs = selectors.warning_list(request.user, filters)
    page = keyset_page(qs, order=("-id",), cursor=f.cursor, limit=f.limit)
    return {"items": [presenters.warning_out(w) for w in page.items], "next": page.next}


@router.get("/warnings/{pk}", response={200: WagesWarningOut, **ERRORS}, summary="一条预警")
def get_warning(request: HttpRequest, pk: int) -> Any:
    return presenters.warning_out(selectors.warning_get(request.user, pk))


@router.post("/warnings/{pk}/assign", response={200: WagesWarningOut, **ERRORS}, summary="交办")
def assign(request: HttpRequest, pk: int, payload: WagesAssignIn) -> Any:
    from zhili.core.errors import ValidationFailed
    from zhili.org.selectors import user_list

    w = selectors.warning_get(request.user, pk)
    person = user_list(request.user).filter(username=payload.assignee.strip()).first()
    if person is None:
        raise ValidationFailed(gettext("账号不存在或不在您的管辖范围内"), code="invalid_assignee")
    w = services.warning_assign(
        actor=request.user, warning=w, assignee=person, version=payload.version
    )
    return presenters.warning_out(selectors.warning_get(request.user, w.pk))


@router.post("/warnings/{pk}/close", response={200: WagesWarningOut, **ERRORS}, summary="办结")
def close(request: HttpRequest, pk: int, payload: WagesNoteIn) -> Any:
    w = selectors.warning_get(request.user, pk)
    services.warning_close(
        actor=request.user, warning=w, note=payload.note, version=payload.version
    )
    return presenters.warning_out(selectors.warning_get(request.user, pk))


@router.post("/warnings/{pk}/reopen", response={200: WagesWarningOut, **ERRORS}, summary="重新打开")
def reopen(request: HttpRequest, pk: int, payload: WagesNoteIn) -> Any:
    w = selectors.warning_get(request.user, pk)
    services.warning_reopen(
        actor=request.user, warning=w, note=payload.note, version=payload.version
    )
    return presenters.warning_out(selectors.warning_get(request.user, pk))


@router.get(
    "/blacklist",
    response={200: WagesBlacklistPageOut, **ERRORS},
    summary="欠薪失信名单（可按企业名称或信用代码搜索）",
)
def list_blacklist(request: HttpRequest, f: Query[WagesBlacklistFilters]) -> Any:
    qs = selectors.blacklist_list(request.user, q=f.q, current=not f.all)
    page = keyset_page(qs, order=("-id",), cursor=f.cursor, limit=f.limit)
    return {"items": [presenters.blacklist_out(e) for e in page.items], "next": page.next}


@router.get(
    "/dashboard", response={200: list[WagesDistrictOut], **ERRORS}, summary="各区县预警统计"
)
def dashboard(request: HttpRequest) -> Any:
    return [presenters.district_out(r) for r in selectors.dashboard(request.user)]


@router.get("/rules", response={200: list[WagesRuleOut], **ERRORS}, summary="预警规则")
def list_rules(request: HttpRequest) -> Any:
    return [presenters.rule_out(r) for r in selectors.rule_list(request.user)]
