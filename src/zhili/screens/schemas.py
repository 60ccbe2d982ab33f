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
    link: str = ""


class ScreensStaffIn(BoundedIn):
    name: str
    post: str = ""
    username: str = ""  # the platform account to link (optional)


class ScreensStaffOut(Schema):
    id: int
    name: str
    post: str
    active: bool
    username: str
    ratings: int  # in the window (screens.rating_window_days)
    satisfied: int
    rate: float | None  # percent, as the screen shows it (null below the minimum count)


class ScreensRatingOut(Schema):
    id: int
    centre_id: int
    staff_id: int
    staff: str
    score: int
    score_label: str
    comment: str  # phone and ID numbers in it masked
    at: dt.datetime


class ScreensRatingPage(Schema):
    items: list[ScreensRatingOut]
    next: str | None
