"""Typed schemas of the cockpit API (names unique across the whole API)."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn


class CockpitAreaOut(Schema):
    code: str
    name: str
    level: str = ""


class CockpitPeriodOut(Schema):
    start: str = Field(alias="from")
    to: str


class CockpitFigureOut(Schema):
    key: str
    label: str
    value: float | None
    kind: str = Field(description="rate（0–1 的比例）、count、score 或 amount")
    unit: str
    higher_is_better: bool
    children: dict[str, float | None] = Field(description="下级区域代码 → 数值")
    note: str
    map: bool


class CockpitTrendOut(Schema):
    label: str
    points: list[tuple[str, float | None]]


class CockpitSectionOut(Schema):
    key: str
    title: str
    link: str
    figures: list[CockpitFigureOut]
    trends: list[CockpitTrendOut]


class CockpitOut(Schema):
    area: CockpitAreaOut
    period: CockpitPeriodOut
    children: list[CockpitAreaOut]
    sections: list[CockpitSectionOut]
    generated_at: str


class CockpitReportIn(BoundedIn):
    area: str = ""


class CockpitReportOut(Schema):
    id: int
    area: str
    start: str
    end: str
    status: str
    error: str


class CockpitCameraIn(BoundedIn):
    code: str
    name: str
    area: str
    lat: float
    lng: float
    owner: str
    coverage: str = ""
    status: str = "online"


class CockpitCameraOut(Schema):
    id: int
    code: str
    name: str
    area: str
    lat: float
    lng: float
    owner: str
    coverage: str
    status: str
