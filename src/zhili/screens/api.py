"""Screens API: centres, their notices, staff (with their satisfaction figures) and residents'
ratings, and a preview of what a centre's screen shows today. Ratings are written on the public
rating page only (anonymous, throttled)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from zhili.core.pagination import keyset_page
from zhili.core.pickers import resolve_person
from zhili.core.privacy import mask_text
from zhili.core.schemas import ErrorOut
from zhili.screens import ratings, registry, selectors, services
from zhili.screens.pickers import ACCOUNT
from zhili.screens.schemas import (
    ScreensCentreOut,
    ScreensNoticeIn,
    ScreensNoticeOut,
    ScreensRatingPage,
    ScreensSlideOut,
    ScreensStaffIn,
    ScreensStaffOut,
)

router = Router(tags=["screens"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _centre_out(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "area": c.area.code, "name": c.name, "complaint_line": c.complaint_line,
            "hours": c.hours}  # fmt: skip


@router.get("/centres", response={200: list[ScreensCentreOut], **ERRORS}, summary="便民服务中心")
def centres(request: HttpRequest) -> Any:
    return [_centre_out(c) for c in selectors.centre_list(request.user)[:1000]]


@router.get(
    "/centres/{centre_id}/slides",
    response={200: list[ScreensSlideOut], **ERRORS},
    summary="该中心公示屏今日展示的内容（预览）",
)
def slides(request: HttpRequest, centre_id: int) -> Any:
    c = selectors.centre_get(request.user, centre_id)
    return [asdict(s) for s in registry.slides_for(c, timezone.localdate())]


@router.post(
    "/centres/{centre_id}/notices",
    response={201: ScreensNoticeOut, **ERRORS},
    summary="发布公告",
)
def notice_create(request: HttpRequest, centre_id: int, p: ScreensNoticeIn) -> Any:
    c = selectors.centre_get(request.user, centre_id)
    n = services.notice_create(actor=request.user, centre=c, **p.dict())
    return Status(201, {"id": n.pk, "title": n.title, "body": n.body, "show_from": n.show_from,
                 "show_until": n.show_until, "published": n.published})  # fmt: skip


def _staff_out(s: Any, figure: ratings.Figure) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name, "post": s.post, "active": s.active,
            "username": s.user.username if s.user else "", "ratings": figure.count,
            "satisfied": figure.satisfied, "rate": figure.rate}  # fmt: skip


@router.get(
    "/centres/{centre_id}/staff",
    response={200: list[ScreensStaffOut], **ERRORS},
    summary="服务人员及其满意率",
)
def staff(request: HttpRequest, centre_id: int) -> Any:
    c = selectors.centre_get(request.user, centre_id)
    rows = list(selectors.centre_staff(request.user, c)[:500])
    figures = ratings.figures(s.pk for s in rows)
    return [_staff_out(s, figures[s.pk]) for s in rows]


@router.post(
    "/centres/{centre_id}/staff",
    response={201: ScreensStaffOut, **ERRORS},
    summary="登记服务人员",
)
def staff_add(request: HttpRequest, centre_id: int, p: ScreensStaffIn) -> Any:
    c = selectors.centre_get(request.user, centre_id)
    user = resolve_person(request.user, p.username, ACCOUNT, area=None) if p.username else None
    s = services.staff_add(actor=request.user, centre=c, name=p.name, post=p.post, user=user)
    return Status(201, _staff_out(s, ratings.figures([s.pk])[s.pk]))


@router.get(
    "/ratings",
    response={200: ScreensRatingPage, **ERRORS},
    summary="群众对服务人员的评价（含意见建议）",
)
def rating_list(
    request: HttpRequest,
    centre: int | None = None,
    staff: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    """The ratings the user may read (``staffrating.view`` over their centres), newest first."""
    qs = selectors.rating_list(request.user, centre_id=centre, staff_id=staff)
    page = keyset_page(qs, order=("-at", "-id"), cursor=cursor, limit=limit)
    return {
        "items": [
            {"id": r.pk, "centre_id": r.centre_id, "staff_id": r.staff_id, "staff": r.staff.name,
             "score": r.score, "score_label": r.get_score_display(),
             "comment": mask_text(r.comment), "at": r.at}
            for r in page.items
        ],
        "next": page.next,
    }  # fmt: skip
