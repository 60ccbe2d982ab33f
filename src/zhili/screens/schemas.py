"""Typed schemas of the screens API (names unique across the whole API)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from zhili.core.schemas import BoundedIn


class ScreensCentreOut(Schema):
    id: int
    area: str
    name: str
    complaint_line: str
    hours: str


class ScreensNoticeIn(BoundedIn):
    title: str
    body: str
    show_from: dt.date
    show_until: dt.date | None = None
    published: bool = True


class ScreensNoticeOut(Schema):
    id: int
    title: str
    body: str
    show_from: dt.date
    show_until: dt.date | None
    published: bool


class ScreensSlideOut(Schema):
    key: str
    title: str
    lines: list[str]
    rows: list[list[str]]
    footer: str
    seconds: int
