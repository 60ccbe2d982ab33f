"""Screens API: centres, their notices, and a preview of what a centre's screen shows today."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from zhili.core.schemas import ErrorOut
from zhili.screens import registry, selectors, services
from zhili.screens.schemas import (
    ScreensCentreOut,
    ScreensNoticeIn,
    ScreensNoticeOut,
    ScreensSlideOut,
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
    return 201, {"id": n.pk, "title": n.title, "body": n.body, "show_from": n.show_from,
                 "show_until": n.show_until, "published": n.published}  # fmt: skip
