"""Typed In/Out schemas of the points API (names prefixed ``Points``: unique across the API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import BoundedIn

KEY = Field(
    min_length=1, max_length=100, description="客户端为本次业务生成的幂等键；重试用同一个键"
)
VERSION = Field(default=None, description="上次读取时的版本号；已被他人更新时返回 409")


class PointsAccountOut(Schema):
    id: int
    kind: str
    name: str
    village: str
    balance: int
    available: int
    debits_posted: int
    credits_posted: int
    debits_pending: int
    credits_pending: int


class PointsTransferOut(Schema):
    id: int
    key: str
    kind: str
    code: str
    debit_id: int
    credit_id: int
    amount: int
    pending_id: int | None
    reverses_id: int | None
    batch: str
    memo: str
    created_at: dt.datetime


class PointsHouseholdOut(Schema):
    id: int
    number: str
    head_name: str = Field(description="户主姓名（脱敏）")
    village: str
    area: str
    account_id: int
    balance: int
    available: int


class PointsHouseholdIn(BoundedIn):
    area: str = Field(description="网格或楼栋的区域代码")
    number: str = Field(max_length=30)
    head_name: str = Field(max_length=60)


class PointsHouseholdImportOut(Schema):
    created: list[str] = Field(description="新登记农户的户号")
    members_added: int = Field(description="为已登记农户新增的成员人数")
    unchanged: int = Field(description="已登记且表中没有新内容的农户数")


class PointsAllocateIn(BoundedIn):
    village: str = Field(description="村（社区）代码")
    funding_source: str = Field(max_length=60)
    amount: int = Field(gt=0, le=10**9)
    key: str = KEY


class PointsReverseIn(BoundedIn):
    key: str = KEY
    memo: str = Field(min_length=1, max_length=200)


class PointsRecordIn(BoundedIn):
    household_id: int
    item_code: str
    occurred_on: dt.date
    note: str = Field(default="", max_length=200)


class PointsRecordActIn(BoundedIn):
    note: str = Field(default="", max_length=500)
    version: int | None = VERSION


class PointsRecordOut(Schema):
    id: int
    household_id: int
    item_code: str
    item_name: str
    rule_version: int
    points: int
    occurred_on: dt.date
    status: str
    status_label: str
    version: int
    public_until: dt.datetime | None
    transfer_id: int | None
    actions: list[str]


class PointsOrderIn(BoundedIn):
    household_id: int
    goods_id: int
    quantity: int = Field(gt=0, le=1000)
    key: str = KEY


class PointsOrderActIn(BoundedIn):
    version: int | None = VERSION
    cash_paid: bool = Field(
        default=False, description="领取时：已收取现金补差（商品有现金补差时必须为 true）"
    )


class PointsOrderOut(Schema):
    id: int
    key: str
    household_id: int
    goods: str
    quantity: int
    points: int
    cash: Decimal = Field(description="现金补差（元），领取时现场收取")
    cash_paid: bool
    status: str
    status_label: str
    version: int
    hold_id: int
    expires_at: dt.datetime


class PointsRankOut(Schema):
    rank: int = Field(description="名次；0 表示因一票否决不参加年度考评")
    household_id: int
    number: str
    name: str
    points: int
    veto: str = Field("", description="一票否决的事项（年度考评）")


class PointsVillageRankOut(Schema):
    rank: int
    code: str
    name: str
    households: int
    points: int
    per_household: float


class PointsGoodsIn(BoundedIn):
    name: str = Field(min_length=1, max_length=80)
    price: int = Field(gt=0, le=100_000)
    stock: int = Field(default=0, ge=0, le=100_000)


class PointsStockIn(BoundedIn):
    quantity: int = Field(description="入库为正，报损为负", ge=-100_000, le=100_000)


class PointsGoodsOut(Schema):
    id: int
    name: str
    price: int
    stock: int
    active: bool
