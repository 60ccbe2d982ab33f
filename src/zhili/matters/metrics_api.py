"""GET /api/v1/metrics/matters: the measures of matters in the caller's scope (from rollups)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhili.core.db_router import reporting
from zhili.core.schemas import ErrorOut, IsoDate, plain_model, plain_response
from zhili.matters import metrics

router = Router(tags=["metrics"])
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class MetricsQuery(Schema):
    area: str = Field("", description="区域代码（默认：本人管辖范围的顶层区域）")
    from_: IsoDate | None = Field(None, alias="from", description="开始日期（含）")
    to: IsoDate | None = Field(None, description="结束日期（含，默认今天）")
    days: int | None = Field(None, description="最近 N 天（未给 from/to 时使用，默认 30）")
    by: str = Field(
        "area",
        max_length=8,
        description="area：按下级区域；unit：按责任单位；triage：按三事分流；mode：按四事四办；"
        "topic：按五事",
    )
    rank: str = Field("", description=f"排名指标（默认 {metrics.DEFAULT_RANK_BY}）")
    triage: str = Field(
        "", max_length=8, description="只统计该三事分流：big、small、private、none（未分流）"
    )
    mode: str = Field(
        "", max_length=12, description="只统计该四事四办：immediate、timed、consult、urgent"
    )
    topic: str = Field(
        "",
        max_length=20,
        description="只统计该五事：party、self_governance、safety、civility、environment",
    )


class MetricsAreaRef(Schema):
    code: str
    name: str
    level: str


class MetricsUnitRef(Schema):
    id: int
    name: str


class ScopeOut(Schema):
    areas: list[MetricsAreaRef]
    area: MetricsAreaRef | None
    unit: MetricsUnitRef | None


class MeasureOut(Schema):
    key: str
    label: str
    value: float | None
    numerator: int
    denominator: int


class DurationOut(Schema):
    measure: str
    label: str
    n: int
    median_hours: float | None
    p90_hours: float | None


class TotalsOut(Schema):
    counts: dict[str, int]
    measures: list[MeasureOut]
    overdue_open: int
    durations: list[DurationOut]


class TrendOut(Schema):
    day: dt.date
    created: int
    dispatched: int
    closed: int


class MetricsRowOut(Schema):
    key: str
    name: str
    drill: str | None
    rank: int | None
    sufficient_sample: bool
    sample: int
    overdue_open: int
    counts: dict[str, int]
    measures: dict[str, float | None]
    durations: list[DurationOut]


class DistrictOut(Schema):
    code: str
    name: str
    overdue: int
    rated: int
    satisfaction: float | None


class MetricsOut(Schema):
    scope: ScopeOut
    period: dict[str, dt.date]
    by: str
    filters: dict[str, str] = Field(default_factory=dict, description="三事/四事/五事的筛选")
    rank_by: str
    min_sample: int
    totals: TotalsOut
    trend: list[TrendOut]
    rows: list[MetricsRowOut]
    districts: list[DistrictOut]


@router.get(
    "/matters",
    response={200: MetricsOut, **ERRORS},
    summary="诉求统计指标（按管辖范围；按下级区域或责任单位分列，含排名）",
)
def matter_metrics(request: HttpRequest, q: Query[MetricsQuery]) -> Any:
    with reporting():  # reads from the replica, if any (a decorator would hide the signature)
        report = metrics.matter_metrics(
            request.user,
            area=q.area,
            start=q.from_,
            end=q.to,
            days=q.days,
            by=q.by,
            rank_by=q.rank,
            triage=q.triage,
            mode=q.mode,
            topic=q.topic,
        )
        # The report is plain data: validated without ninja's DjangoGetter (core.schemas).
        return plain_response(request, _METRICS, metrics.report_json(report))


_METRICS = plain_model(MetricsOut)
