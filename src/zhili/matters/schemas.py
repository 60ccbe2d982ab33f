from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field


class CategoryOut(Schema):
    code: str
    name: str
    group: str | None
    topic: str
    topic_label: str
    handling_mode: str
    handling_mode_label: str
    limits: dict[str, list[Any]]
    hint: str
    questions: list[dict[str, Any]]
    allow_anonymous: bool


class MatterIn(Schema):
    category: str = Field(description="分类代码")
    channel: str = Field(
        default="staff", description="staff/grid/building_day/hotline/web/referral"
    )
    title: str = Field(default="", max_length=120)
    description: str = Field(min_length=1, max_length=4000)
    area: str | None = Field(default=None, description="区域代码（街道及以下）")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    address: str = Field(default="", max_length=200)
    reporter_name: str = Field(default="", max_length=64)
    reporter_phone: str = Field(default="", max_length=32)
    anonymous: bool = False
    answers: dict[str, Any] = Field(default_factory=dict)


class MatterBatchIn(Schema):
    items: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=500,
        description="1–500 件，每件的字段同 POST /matters（MatterIn）；不支持附件",
    )


class MatterBatchItemOut(Schema):
    number: str
    status: str


class MatterBatchOut(Schema):
    items: list[MatterBatchItemOut]


class UnitRef(Schema):
    id: int
    name: str


class MatterOut(Schema):
    number: str
    title: str
    description: str
    category: str
    category_name: str
    channel: str
    status: str
    status_label: str
    triage: str
    area_code: str
    area_name: str
    address: str
    lat: float | None
    lng: float | None
    anonymous: bool
    reporter_name: str
    reporter_phone: str
    lead_unit: UnitRef | None
    suggested_unit: UnitRef | None
    created_at: dt.datetime
    due_at: dt.datetime | None
    handle_due: dt.datetime | None
    overdue: bool
    closed_at: dt.datetime | None
    solved: bool | None
    satisfied: bool | None
    merged_into: str | None
    version: int


class ActionOut(Schema):
    action: str
    label: str


class MatterDetailOut(MatterOut):
    actions: list[ActionOut] = Field(
        description="当前用户现在可以执行的动作（按状态和权限，与页面上的按钮相同）"
    )


class MatterPage(Schema):
    items: list[MatterOut]
    next: str | None


class EventOut(Schema):
    action: str
    label: str = Field(description="动作的名称")
    summary: str = Field(description="详情的文字说明")
    from_status: str
    to_status: str
    from_label: str
    to_label: str
    actor: str
    actor_display: str
    unit: str | None
    at: dt.datetime
    note: str
    data: dict[str, Any]
    attachments: list[str]


class ActionIn(Schema):
    """Fields used by the actions; each action reads the ones it needs."""

    version: int | None = None
    note: str = ""
    reason: str = ""
    result: str = ""
    triage: str = ""
    unit: int | None = None
    co_units: list[int] = Field(default_factory=list)
    contacted: bool = False
    passed: bool | None = None
    solved: bool | None = None
    satisfied: bool | None = None
    days: int | None = None
    approved: bool | None = None
    into: str = ""
    attachments: list[str] = Field(default_factory=list, description="附件 sha256 列表")
