from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import TypedIn


class AreaRefOut(Schema):
    code: str
    name: str


class AreaOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    parent: AreaRefOut | None
    path: str
    current: bool
    valid_from: dt.date | None
    valid_to: dt.date | None
    successor: AreaRefOut | None
    code_official: bool
    note: str
    households: int | None
    address: str
    lat: float | None
    lng: float | None

    @staticmethod
    def from_area(area: Any) -> dict[str, Any]:
        return {
            "code": area.code,
            "name": area.name,
            "level": area.level,
            "level_label": area.get_level_display(),
            "kind": area.kind,
            "kind_label": area.kind_label,
            "parent": {"code": area.parent.code, "name": area.parent.name}
            if area.parent_id
            else None,
            "path": area.path,
            "current": area.valid_to is None,
            "valid_from": area.valid_from,
            "valid_to": area.valid_to,
            "successor": (
                {"code": area.successor.code, "name": area.successor.name}
                if area.successor_id
                else None
            ),
            "code_official": area.code_official,
            "note": area.note,
            "households": area.households,
            "address": area.address,
            "lat": area.lat,
            "lng": area.lng,
        }


class ChangeOut(Schema):
    change: str
    effective: dt.date
    op: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str


class AreaDetailOut(AreaOut):
    descendant_counts: dict[str, int]
    history: list[ChangeOut]
    former_children: list[AreaRefOut]


class AreaPage(Schema):
    items: list[AreaOut]
    next: str | None


class AreaCreateIn(TypedIn):
    level: str = Field(max_length=16, description="grid 或 building")
    name: str = Field(min_length=1, max_length=100)
    code: str = Field(default="", max_length=32)
    households: int | None = Field(default=None, ge=0)
    address: str = Field(default="", max_length=200)
    lat: float | None = None
    lng: float | None = None
    geometry: dict[str, Any] | None = Field(default=None, max_length=8)


class AreaUpdateIn(TypedIn):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    households: int | None = Field(default=None, ge=0)
    address: str | None = Field(default=None, max_length=200)
    lat: float | None = None
    lng: float | None = None
    geometry: dict[str, Any] | None = Field(default=None, max_length=8)
