"""Input and output schemas of the compounds API (names prefixed: unique across the API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn


class CompoundsCompoundIn(BoundedIn):
    name: str
    area: str = Field(description="所属社区或网格代码")
    coverage: str = Field(description="company 物业公司 / self 自治管理 / none 无物业服务")
    property_company: str = ""
    has_owners_committee: bool = False
    address: str = ""
    built_year: int | None = None
    households: int | None = None
    note: str = ""


class CompoundsCompoundOut(Schema):
    id: int
    name: str
    area: str
    area_name: str
    coverage: str
    coverage_label: str
    property_company: str
    has_owners_committee: bool
    address: str
    built_year: int | None
    households: int | None


class CompoundsCompoundPage(Schema):
    items: list[CompoundsCompoundOut]
    next: str | None


class CompoundsCoverageOut(Schema):
    total: int
    by_coverage: dict[str, int]
    with_committee: int


class CompoundsPartyIn(BoundedIn):
    role: str
    name: str
    share: Decimal = Field(Decimal(0), max_digits=16)


class CompoundsAttendeeIn(BoundedIn):
    party: int = Field(description="参会方在 parties 中的序号（从 0 起）")
    name: str
    post: str = ""


class CompoundsTaskIn(BoundedIn):
    text: str
    owner: int = Field(description="责任方在 parties 中的序号（从 0 起）")
    due: dt.date


class CompoundsMeetingIn(BoundedIn):
    compound: int
    kind: str = Field(description="five 五方联席会 / three 三方联动 / other")
    held_on: dt.date
    topic: str
    decisions: str
    agenda: str = ""
    place: str = ""
    total_cost: Decimal = Field(Decimal(0), max_digits=16)
    parties: list[CompoundsPartyIn] = Field(max_length=30)
    attendees: list[CompoundsAttendeeIn] = Field(default_factory=list, max_length=200)
    followups: list[CompoundsTaskIn] = Field(default_factory=list, max_length=100)
    matters: list[str] = Field(default_factory=list, max_length=100, description="解决的诉求编号")


class CompoundsPartyOut(Schema):
    id: int
    role: str
    role_label: str
    name: str
    share: Decimal = Field(max_digits=16)


class CompoundsAttendeeOut(Schema):
    name: str
    post: str
    party: int


class CompoundsFollowUpOut(Schema):
    id: int
    text: str
    owner: str
    due: dt.date
    status: str
    status_label: str
    version: int
    result: str
    actions: list[str]


class CompoundsMatterLinkOut(Schema):
    number: str
    title: str
    status: str
    status_label: str


class CompoundsMeetingOut(Schema):
    id: int
    compound: int
    compound_name: str
    kind: str
    kind_label: str
    held_on: dt.date
    place: str
    topic: str
    agenda: str
    decisions: str
    total_cost: Decimal = Field(max_digits=16)
    parties: list[CompoundsPartyOut]
    attendees: list[CompoundsAttendeeOut]
    followups: list[CompoundsFollowUpOut]
    matters: list[CompoundsMatterLinkOut]


class CompoundsMeetingBriefOut(Schema):
    id: int
    compound: int
    compound_name: str
    kind: str
    held_on: dt.date
    topic: str


class CompoundsMeetingPage(Schema):
    items: list[CompoundsMeetingBriefOut]
    next: str | None


class CompoundsLinkIn(BoundedIn):
    matter: str = Field(description="诉求编号")


class CompoundsFollowUpIn(BoundedIn):
    text: str
    owner: int = Field(description="参会方编号（parties[].id）")
    due: dt.date


class CompoundsCompleteIn(BoundedIn):
    version: int | None = None
    result: str
