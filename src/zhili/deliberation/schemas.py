"""Input and output schemas of the deliberation API (names unique across the whole API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn, Year


class DelibEventOut(Schema):
    action: str
    label: str
    summary: str
    actor: str
    at: dt.datetime
    note: str

    @staticmethod
    def of(e: Any) -> dict[str, Any]:
        return {
            # A legal review's events are named apart from the record's own actions.
            "action": f"legal_review.{e.action}" if hasattr(e, "review_id") else e.action,
            "label": e.label,
            "summary": e.summary,
            "actor": e.actor_display,
            "at": e.at,
            "note": e.note,
        }


class DelibStepOut(Schema):
    id: int
    stage: str
    stage_label: str
    assembly: str
    held_on: dt.date
    due: int
    present: int
    households_due: int
    households_present: int
    votes_for: int
    votes_against: int
    abstain: int
    text: str
    witness: str
    public_from: dt.date | None
    public_until: dt.date | None
    signatures_url: str | None


class DelibRecordOut(Schema):
    number: str
    title: str
    content: str
    area: str
    area_name: str
    status: str
    status_label: str
    merged_posts: bool
    review_before: str
    version: int


class DelibRecordPage(Schema):
    items: list[DelibRecordOut]
    next: str | None


class DelibRecordDetailOut(DelibRecordOut):
    actions: list[str]
    waiting: list[str] = Field(description="可以进行但尚被拦下的步骤及原因（如待法律审查）")
    review_status: str | None
    steps: list[DelibStepOut]
    events: list[DelibEventOut]


class DelibRecordIn(BoundedIn):
    area: str = Field(description="村（社区）代码")
    title: str = Field(max_length=200)
    content: str
    merged_posts: bool = False
    review_before: str = Field("", description="须在此步骤前经法律顾问审查（步骤代码），留空不需要")


class DelibStepIn(BoundedIn):
    held_on: dt.date
    text: str
    due: int = Field(0, ge=0)
    present: int = Field(0, ge=0)
    votes_for: int = Field(0, ge=0)
    votes_against: int = Field(0, ge=0)
    abstain: int = Field(0, ge=0)
    households_due: int = Field(0, ge=0)
    households_present: int = Field(0, ge=0)
    assembly: str = Field("", description="villagers 或 representatives（决议步骤）")
    witness: str = Field("", description="见证人账号（决议步骤）")
    public_from: dt.date | None = None
    public_until: dt.date | None = None
    version: int | None = None


class DelibReasonIn(BoundedIn):
    reason: str
    version: int | None = None


class DelibReviewRequestIn(BoundedIn):
    question: str


class DelibReviewRequestOut(BoundedIn):
    id: int
    adviser: str
    status: str


class DelibPublicityOut(Schema):
    kind: str
    title: str
    area: str
    area_code: str
    text: str
    public_from: dt.date
    public_until: dt.date
    url: str


class DelibProjectOut(Schema):
    number: str
    title: str
    purpose: str
    area: str
    area_name: str
    year: int
    proposer: str
    signers: int
    villagers: int
    budget: Decimal = Field(max_digits=16)
    money_per_person: Decimal = Field(max_digits=16)
    labour_per_person: Decimal = Field(max_digits=16)
    status: str
    status_label: str
    reply_due: dt.datetime | None
    replied_at: dt.datetime | None
    version: int


class DelibProjectPage(Schema):
    items: list[DelibProjectOut]
    next: str | None


class DelibBookOut(Schema):
    households: int
    persons_due: int
    persons_contributing: int
    persons_exempt: int
    share_percent: str
    eligible: bool
    persons_needed: int
    money: Decimal = Field(max_digits=16)
    labour_days: Decimal = Field(max_digits=16)
    grants: Decimal = Field(max_digits=16)
    other_in: Decimal = Field(max_digits=16)
    spent: Decimal = Field(max_digits=16)
    corrections: Decimal = Field(max_digits=16)
    balance: Decimal = Field(max_digits=16)


class DelibContributionOut(Schema):
    id: int
    household: str = Field(description="户主姓名（脱敏）")
    phone: str = Field(description="联系电话（脱敏）")
    persons: int
    money: Decimal = Field(max_digits=16)
    labour_days: Decimal = Field(max_digits=16)
    exempt_reason: str
    on: dt.date


class DelibLedgerOut(Schema):
    id: int
    kind: str
    kind_label: str
    amount: Decimal = Field(max_digits=16)
    on: dt.date
    note: str


class DelibProjectDetailOut(DelibProjectOut):
    description: str
    actions: list[str]
    book: DelibBookOut
    contributions: list[DelibContributionOut]
    ledger: list[DelibLedgerOut]
    events: list[DelibEventOut]


class DelibProjectIn(BoundedIn):
    area: str
    title: str = Field(max_length=200)
    purpose: str
    description: str
    proposer: str = Field(description="committee、villagers 或 representatives")
    villagers: int = Field(ge=0)
    budget: Decimal = Field(ge=0, max_digits=16)
    signers: int = Field(0, ge=0)
    representatives: int = Field(0, ge=0)
    money_per_person: Decimal = Field(Decimal(0), ge=0)
    labour_per_person: Decimal = Field(Decimal(0), ge=0)
    year: Year | None = None


class DelibProjectActionIn(BoundedIn):
    """The input of each project action; each action reads its own fields."""

    version: int | None = None
    notice_from: dt.date | None = None
    notice_until: dt.date | None = None
    households: int = Field(0, ge=0)
    canvassed: int = Field(0, ge=0)
    agree: int = Field(0, ge=0)
    held_on: dt.date | None = None
    assembly: str = ""
    due: int = Field(0, ge=0)
    present: int = Field(0, ge=0)
    votes_for: int = Field(0, ge=0)
    votes_against: int = Field(0, ge=0)
    abstain: int = Field(0, ge=0)
    households_due: int = Field(0, ge=0)
    households_present: int = Field(0, ge=0)
    approve: bool = False
    note: str = ""
    household: str = ""
    phone: str = ""
    persons: int = Field(0, ge=0)
    money: Decimal = Field(Decimal(0), max_digits=16)
    labour_days: Decimal = Field(Decimal(0), max_digits=16)
    exempt_reason: str = ""
    on: dt.date | None = None
    kind: str = ""
    amount: Decimal = Field(Decimal(0), max_digits=16)


class DelibHouseholdOut(Schema):
    id: str
    household: str
    phone: str


class DelibCapIn(BoundedIn):
    area: str = Field("", description="区域代码；留空为全市")
    year: Year | None = Field(None, description="年度；留空为各年")
    money: Decimal = Field(ge=0, max_digits=16)
    labour_days: Decimal = Field(ge=0, max_digits=16)
    note: str = ""


class DelibCapOut(Schema):
    area: str
    year: int | None
    money: Decimal = Field(max_digits=16)
    labour_days: Decimal = Field(max_digits=16)
    note: str
