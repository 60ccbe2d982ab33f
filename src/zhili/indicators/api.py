"""Indicators API: the catalogue, values (enter, revisions), figures per area, the survey rate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router

from zhili.core.errors import NotFound
from zhili.core.schemas import ErrorOut, Year
from zhili.indicators import selectors, services
from zhili.indicators.presenters import figures_out, survey_out
from zhili.indicators.schemas import (
    IndicatorsFiguresOut,
    IndicatorsIndicatorOut,
    IndicatorsRevisionOut,
    IndicatorsSurveyOut,
    IndicatorsValueIn,
    IndicatorsValueOut,
)

router = Router(tags=["indicators"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _value_out(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk, "indicator": v.indicator.code, "area": v.area.code, "year": v.year,
        "month": v.month, "value": float(v.value), "components": v.components,
        "source": v.source, "version": v.version,
    }  # fmt: skip


@router.get("/", response={200: list[IndicatorsIndicatorOut], **ERRORS}, summary="平安指标目录")
def indicator_list(request: HttpRequest) -> Any:
    return list(selectors.indicator_list(request.user))


@router.post("/values", response={200: IndicatorsValueOut, **ERRORS}, summary="填报或修订指标数值")
def value_set(request: HttpRequest, p: IndicatorsValueIn) -> Any:
    area = selectors.area_for(request.user, p.area)
    v = services.value_set(
        actor=request.user, indicator=selectors.indicator_get(p.indicator), area=area,
        year=p.year, month=p.month, value=p.value, components=p.components or None,
        source=p.source, note=p.note,
    )  # fmt: skip
    return _value_out(v)


@router.get(
    "/values/{value_id}/revisions",
    response={200: list[IndicatorsRevisionOut], **ERRORS},
    summary="指标数值的修订历史",
)
def value_revisions(request: HttpRequest, value_id: int) -> Any:
    v = selectors.value_get(request.user, value_id)
    return [
        {"version": r.version, "value": float(r.amount), "source": r.source, "note": r.note,
         "actor": r.actor.username if r.actor else "", "at": r.at.isoformat()}
        for r in selectors.value_revisions(v)
    ]  # fmt: skip


@router.get("/figures", response={200: IndicatorsFiguresOut, **ERRORS}, summary="区域指标汇总")
def figures(request: HttpRequest, area: str = "", year: Year | None = None) -> Any:
    a = selectors.area_for(request.user, area)
    return figures_out(selectors.figures(request.user, a, year or dt.date.today().year))


@router.get("/survey", response={200: IndicatorsSurveyOut, **ERRORS}, summary="群众安全感率")
def survey(request: HttpRequest, area: str = "", year: Year | None = None) -> Any:
    a = selectors.area_for(request.user, area, model="wave")
    y = year or dt.date.today().year
    total, children = selectors.survey_overview(request.user, a, y)
    if total is None:
        raise NotFound(gettext("没有调查问卷"), code="no_instrument")
    return {"total": survey_out(total, y), "children": [survey_out(r, y) for r in children]}
