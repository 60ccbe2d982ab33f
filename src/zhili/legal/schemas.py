"""Input and output schemas of the legal API (names unique across the whole API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn, Year


class LegalAdviserOut(Schema):
    id: int
    name: str
    firm: str
    license_no: str
    phone: str = Field(description="联系电话（脱敏）")
    area: str
    username: str | None
    active: bool


class LegalAdviserIn(BoundedIn):
    name: str
    firm: str
    area: str = Field(description="登记区域代码（街道或区县）")
    license_no: str = ""
    phone: str = ""
    username: str = Field("", description="平台账号（法律顾问本人登录用，可不填）")


class LegalCoverageIn(BoundedIn):
    adviser: int
    area: str = Field(description="村（社区）代码")
    since: dt.date


class LegalCoverageOut(Schema):
    adviser: str
    area: str
    area_name: str
    since: dt.date


class LegalDutyIn(BoundedIn):
    adviser: int
    area: str
    on: dt.date
    start: dt.time
    end: dt.time
    place: str = ""


class LegalDutyOut(Schema):
    id: int
    adviser: str
    area: str
    on: dt.date
    start: dt.time
    end: dt.time
    place: str


class LegalConsultationIn(BoundedIn):
    area: str
    kind: str
    on: dt.date
    minutes: int = Field(gt=0)
    topic: str
    on_site: bool = True
    person: str = ""
    phone: str = ""
    answer: str = ""


class LegalConsultationOut(Schema):
    id: int
    on: dt.date
    adviser: str
    area: str
    area_code: str
    kind: str
    kind_label: str
    minutes: int
    on_site: bool
    topic: str
    person: str = Field(description="咨询人（脱敏）")
    phone: str = Field(description="联系电话（脱敏）")


class LegalAccountOut(Schema):
    area: str
    area_code: str
    adviser: str
    minutes: int
    hours_text: str
    target_hours: int
    percent: int
    months_missed: list[int]
    warnings: list[str]


class LegalEventOut(Schema):
    action: str
    label: str
    actor: str
    at: dt.datetime
    note: str


class LegalReviewOut(Schema):
    id: int
    subject_type: str
    subject_id: int
    subject_title: str
    area: str
    adviser: str
    question: str
    opinion: str
    status: str
    status_label: str
    version: int
    actions: list[str]
    events: list[LegalEventOut]

    @staticmethod
    def of(r: Any, actions: list[str], events: Any) -> dict[str, Any]:
        return {
            "id": r.pk,
            "subject_type": r.subject_type,
            "subject_id": r.subject_id,
            "subject_title": r.subject_title,
            "area": r.area.code,
            "adviser": r.adviser.name,
            "question": r.question,
            "opinion": r.opinion,
            "status": r.status,
            "status_label": r.get_status_display(),
            "version": r.version,
            "actions": actions,
            "events": [
                {
                    "action": e.action,
                    "label": e.label,
                    "actor": e.actor_display,
                    "at": e.at,
                    "note": e.note,
                }
                for e in events
            ],
        }


class LegalDecideIn(BoundedIn):
    approve: bool
    opinion: str
    version: int | None = None


class LegalPersonOut(Schema):
    person: str
    phone: str


class LegalTargetIn(BoundedIn):
    year: Year
    hours: int = Field(50, gt=0)
    visits_per_month: int = Field(1, ge=0)


class LegalTargetOut(Schema):
    year: int
    hours: int
    visits_per_month: int
