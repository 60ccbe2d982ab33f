"""Typed API schemas of the wages module (names unique across the API: ``Wages…``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn


class WagesProjectOut(Schema):
    id: int
    number: str
    name: str
    area: str
    area_name: str
    address: str
    builder: str
    contractor: str
    contract_value: Decimal
    labour_share: Decimal
    start_on: dt.date
    status: str


class WagesProjectPageOut(Schema):
    items: list[WagesProjectOut]
    next: str | None


class WagesMonthOut(Schema):
    month: str
    attendees: int
    paid_workers: int
    paid_rate: float = Field(description="专户发放人数占出勤人数的比例（0–100）")
    paid: Decimal
    payroll: Decimal


class WagesProjectDetailOut(WagesProjectOut):
    account_bank: str | None
    account_tail: str | None = Field(description="专户账号后四位（脱敏）")
    has_deposit: bool
    has_notice_board: bool
    deposited: Decimal
    paid: Decimal
    balance: Decimal
    roster_size: int
    months: list[WagesMonthOut]


class WagesImportOut(Schema):
    id: int
    kind: str
    rows: int
    new: bool = Field(description="false：同一文件已导入过，本次未写入")


class WagesWarningOut(Schema):
    id: int
    project: int
    project_name: str
    rule: str
    rule_name: str
    severity: str
    period: str
    reason: str
    summary: str
    status: str
    status_name: str
    assignee: str | None
    candidate: str | None = Field(description="风险线索的状态（待研判、已入库、已排除）")
    risk: str | None = Field(description="由风险线索登记的风险编号")
    version: int


class WagesWarningPageOut(Schema):
    items: list[WagesWarningOut]
    next: str | None


class WagesAssignIn(BoundedIn):
    assignee: str = Field(description="处置人账号")
    version: int | None = None


class WagesNoteIn(BoundedIn):
    note: str
    version: int | None = None


class WagesBlacklistOut(Schema):
    id: int
    firm: str
    credit_code: str
    reason: str
    listed_on: dt.date
    expires_on: dt.date
    removed_on: dt.date | None


class WagesBlacklistPageOut(Schema):
    items: list[WagesBlacklistOut]
    next: str | None


class WagesDistrictOut(Schema):
    path: str
    name: str
    projects: int
    red: int
    yellow: int
    closed: int
    total: int
    closed_rate: float


class WagesRuleOut(Schema):
    code: str
    name: str
    severity: str
    threshold: Decimal
    red_above: Decimal | None
    threshold_help: str
    reason: str
    enabled: bool
