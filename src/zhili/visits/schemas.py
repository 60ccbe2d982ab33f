"""Input and output schemas of the visits API (names prefixed: unique across the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn

VERSION = Field(default=None, description="页面或上次读取时的版本号；已被他人更新时返回 409")


class VisitsScheduleIn(BoundedIn):
    building: str = Field(description="楼栋区域代码")
    date: dt.date


class VisitsPlanIn(BoundedIn):
    title: str
    cadre: str = Field(description="走访干部账号")
    area: str = Field(description="走访范围：街道、社区或网格代码")
    visits: list[VisitsScheduleIn] = Field(default_factory=list, max_length=500)


class VisitsPlanOut(Schema):
    id: int
    title: str
    cadre: str
    cadre_name: str
    area: str
    area_name: str
    created_at: dt.datetime

    @staticmethod
    def of(p: Any) -> dict[str, Any]:
        return {
            "id": p.pk,
            "title": p.title,
            "cadre": p.cadre.username,
            "cadre_name": p.cadre.display_name,
            "area": p.area.code,
            "area_name": p.area.name,
            "created_at": p.created_at,
        }


class VisitsPlanPage(Schema):
    items: list[VisitsPlanOut]
    next: str | None


class VisitsResidentOut(Schema):
    id: int
    name: str
    phone: str
    room: str


class VisitsDemandOut(Schema):
    id: int
    text: str
    category: str
    resident: int | None
    matter: str | None = Field(description="转办的诉求编号（您可见时）")
    matter_status: str | None
    matter_status_label: str | None


class VisitsVisitOut(Schema):
    id: int
    plan: int
    cadre: str
    cadre_name: str
    building: str
    building_name: str
    date: dt.date
    status: str
    status_label: str
    version: int
    visited_on: dt.date | None
    summary: str
    miss_reason: str
    actions: list[str]


class VisitsVisitDetailOut(VisitsVisitOut):
    residents: list[VisitsResidentOut] = Field(description="走访群众（脱敏）")
    demands: list[VisitsDemandOut]


class VisitsVisitPage(Schema):
    items: list[VisitsVisitOut]
    next: str | None


class VisitsRecordIn(BoundedIn):
    version: int | None = VERSION
    summary: str = ""
    visited_on: dt.date | None = None


class VisitsMissIn(BoundedIn):
    version: int | None = VERSION
    reason: str


class VisitsResidentIn(BoundedIn):
    name: str
    phone: str = ""
    room: str = ""


class VisitsDemandIn(BoundedIn):
    text: str
    category: str = Field(description="诉求分类代码")
    resident: int | None = None
    to_matter: bool = Field(default=False, description="同时转为诉求事项（一步完成）")


class VisitsFigureRowOut(Schema):
    key: str
    name: str
    planned: int
    done: int
    missed: int
    overdue: int
    rate: float | None = Field(description="完成率（%）；无应走访时为空")
    contact_weeks: int
    weeks: int
    residents: int
    demands: int
    matters: int
    solved: int


class VisitsFiguresOut(Schema):
    start: dt.date
    end: dt.date
    weekly_minimum: int
    by_cadre: list[VisitsFigureRowOut]
    by_street: list[VisitsFigureRowOut]
    total: VisitsFigureRowOut


class VisitsLiaisonRowOut(Schema):
    kind: str
    name: str
    district: str
    streets: list[str]
    problem: str


class VisitsLiaisonOut(Schema):
    fewest: int
    most: int
    items: list[VisitsLiaisonRowOut]
    warnings: int
