"""Targets API (打表推进): plans, the table, the ranking, reports and reviews. Thin, scoped."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from pydantic import Field

from zhili.core.pagination import keyset_page
from zhili.core.schemas import ErrorOut
from zhili.targets import selectors, services
from zhili.targets.evidence import MAX_FILES, Upload
from zhili.targets.schemas import (
    LateList,
    PlanOut,
    PlanPage,
    RankingOut,
    ReportOut,
    ReviewIn,
    TableFiltersIn,
    TableOut,
)

router = Router(tags=["targets"])
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def _report(r: Any, actions: list[str]) -> dict[str, Any]:
    return {
        "id": r.pk,
        "plan": r.plan_id,
        "task_number": r.milestone.task.number,
        "task_title": r.milestone.task.title,
        "milestone": r.milestone.label,
        "due": r.milestone.due,
        "assignee": r.assignment.assignee_name,
        "assignment": r.assignment_id,
        "status": r.status,
        "status_label": r.get_status_display(),
        "version": r.version,
        "returns": r.returns,
        "text": r.text,
        "actions": actions,
        "events": [
            {
                "id": e.pk,
                "action": e.action,
                "action_label": e.label,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "to_label": e.to_label,
                "summary": e.summary,
                "actor": e.actor_name,
                "actor_display": e.actor_display,
                "at": e.at,
                "on": e.on,
                "note": e.note,
                "evidence": [
                    {
                        "sha256": f.sha256,
                        "name": f.original_name,
                        "content_type": f.content_type,
                        "size": f.size,
                        "url": reverse("targets:evidence", args=[f.sha256]),
                    }
                    # lint: allow-related the evidence of an event of a report read in scope
                    for f in e.evidence.all()
                ],
            }
            # lint: allow-related the events of a report read in scope (prefetched)
            for e in r.events.all()
        ],
    }


def _reports(user: Any, reports: list[Any]) -> list[dict[str, Any]]:
    actions = selectors.report_actions(user, reports)
    return [_report(r, actions[r.pk]) for r in reports]


@router.get("/plans", response={200: PlanPage, **ERRORS}, summary="考核方案列表")
def plans(request: HttpRequest, cursor: str | None = None, limit: int = 50) -> Any:
    page = keyset_page(
        selectors.plan_list(request.user), order=("-year",), cursor=cursor, limit=limit
    )
    return {"items": [PlanOut.of(p) for p in page.items], "next": page.next}


@router.get(
    "/plans/{plan_id}", response={200: PlanOut, **ERRORS}, summary="一个考核方案及其评分规则"
)
def plan(request: HttpRequest, plan_id: int) -> Any:
    return PlanOut.of(selectors.plan_get(request.user, plan_id))


@router.get(
    "/plans/{plan_id}/table",
    response={200: TableOut, **ERRORS},
    summary="打表：任务 × 单位 / 区县 / 月份，单元格状态（按管辖范围）",
)
def table(request: HttpRequest, plan_id: int, filters: Query[TableFiltersIn]) -> Any:
    the_plan = selectors.plan_get(request.user, plan_id)
    built = selectors.table_build(request.user, the_plan, selectors.TableFilters(**filters.dict()))
    return TableOut.of(built)


@router.get(
    "/plans/{plan_id}/ranking",
    response={200: RankingOut, **ERRORS},
    summary="区县或责任单位排名，每个得分附说明",
)
def ranking(request: HttpRequest, plan_id: int, by: str = "district", explain: bool = True) -> Any:
    the_plan = selectors.plan_get(request.user, plan_id)
    rows = selectors.ranking(request.user, the_plan, by)
    return {
        "plan": the_plan.pk,
        "by": by,
        "items": [
            {
                "rank": r.rank,
                "score_id": r.score.pk,
                "name": r.score.name,
                "unit_id": r.score.unit_id,
                "area_code": r.score.area.code,
                "base": r.score.base,
                "deductions": r.score.deductions,
                "vetoed": r.score.vetoed,
                "total": r.score.total,
                "grade": r.score.grade,
                "counted": r.score.counted,
                "explanation": r.score.explanation if explain else [],
            }
            for r in rows
        ],
    }


@router.get(
    "/plans/{plan_id}/late",
    response={200: LateList, **ERRORS},
    summary="逾期与临期的节点：什么落后了、谁落后了",
)
def late(request: HttpRequest, plan_id: int, state: str = "") -> Any:
    the_plan = selectors.plan_get(request.user, plan_id)
    items = selectors.late_list(request.user, the_plan, state=state)
    return {
        "items": [
            {
                "report": it.report.pk,
                "assignment": it.report.assignment_id,
                "task_number": it.report.milestone.task.number,
                "task_title": it.report.milestone.task.title,
                "milestone": it.report.milestone.label,
                "due": it.report.milestone.due,
                "assignee": it.report.assignment.assignee_name,
                "state": it.state.value,
                "days": it.days,
                "status": it.report.status,
                "reminders": it.reminders,
            }
            for it in items
        ]
    }


@router.get(
    "/plans/{plan_id}/assignments/{assignment_id}/reports",
    response={200: list[ReportOut], **ERRORS},
    summary="一个单元格（某责任方承担的某项任务）的各节点报告与全部记录",
)
def cell(request: HttpRequest, plan_id: int, assignment_id: int) -> Any:
    the_plan = selectors.plan_get(request.user, plan_id)
    a = selectors.assignment_get(request.user, the_plan, assignment_id)
    reports = selectors.cell_reports(request.user, a)
    for r in reports:
        r.milestone.task = a.task
    return _reports(request.user, reports)


@router.get(
    "/reports/{report_id}", response={200: ReportOut, **ERRORS}, summary="一个节点的报告与全部记录"
)
def report(request: HttpRequest, report_id: int) -> Any:
    return _reports(request.user, [selectors.report_get(request.user, report_id)])[0]


@router.post(
    "/reports/{report_id}/submit",
    response={200: ReportOut, **ERRORS},
    summary="报送节点进展（multipart：text、files、keep_previous、version）",
    # The service refuses more than MAX_FILES files (evidence.py); documented here.
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {"properties": {"files": {"maxItems": MAX_FILES}}}
                }
            }
        }
    },
)
def submit(
    request: HttpRequest,
    report_id: int,
    text: Form[Annotated[str, Field(max_length=5000)]],
    keep_previous: Form[bool] = True,
    version: Form[int | None] = None,  # type: ignore[assignment]
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    found = selectors.report_get(request.user, report_id)
    uploads = [Upload(name=f.name or "", data=f.read()) for f in files or []]
    services.report_submit(
        actor=request.user,
        report=found,
        text=text,
        uploads=uploads,
        keep_previous=keep_previous,
        version=version,
    )
    return _reports(request.user, [selectors.report_get(request.user, report_id)])[0]


@router.post(
    "/reports/{report_id}/review",
    response={200: ReportOut, **ERRORS},
    summary="审核节点进展：通过或退回（退回须写理由）",
)
def review(request: HttpRequest, report_id: int, payload: ReviewIn) -> Any:
    found = selectors.report_get(request.user, report_id)
    services.report_review(
        actor=request.user,
        report=found,
        decision=payload.decision,
        comment=payload.comment,
        version=payload.version,
    )
    return _reports(request.user, [selectors.report_get(request.user, report_id)])[0]
