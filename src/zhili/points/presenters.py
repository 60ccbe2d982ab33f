"""Model rows → API schemas (one place, shared by the API and the tests)."""

from __future__ import annotations

from typing import Any

from zhili.core.privacy import mask_name
from zhili.points.models import Account, Household, Order, Record, Transfer
from zhili.points.schemas import (
    PointsAccountOut,
    PointsHouseholdOut,
    PointsOrderOut,
    PointsRecordOut,
    PointsTransferOut,
)
from zhili.points.workflow import RECORD_WORKFLOW


def account_out(a: Account) -> PointsAccountOut:
    return PointsAccountOut(
        id=a.pk,
        kind=a.kind,
        name=a.name,
        village=a.area_path,
        balance=a.balance,
        available=a.available,
        debits_posted=a.debits_posted,
        credits_posted=a.credits_posted,
        debits_pending=a.debits_pending,
        credits_pending=a.credits_pending,
    )


def transfer_out(t: Transfer) -> PointsTransferOut:
    return PointsTransferOut(
        id=t.pk,
        key=t.key,
        kind=t.kind,
        code=t.code,
        debit_id=t.debit_id,
        credit_id=t.credit_id,
        amount=t.amount,
        pending_id=t.pending_id,
        reverses_id=t.reverses_id,
        batch=t.batch,
        memo=t.memo,
        created_at=t.created_at,
    )


def household_out(h: Household) -> PointsHouseholdOut:
    return PointsHouseholdOut(
        id=h.pk,
        number=h.number,
        head_name=mask_name(h.head_name),
        village=h.area_path,
        area=h.area.code,
        account_id=h.account_id,
        balance=h.account.balance,
        available=h.account.available,
    )


def record_out(r: Record, actor: Any) -> PointsRecordOut:
    return PointsRecordOut(
        id=r.pk,
        household_id=r.household_id,
        item_code=r.item.code,
        item_name=r.item.name,
        rule_version=r.item.version.number,
        points=r.points,
        occurred_on=r.occurred_on,
        status=r.status,
        status_label=r.get_status_display(),
        version=r.version,
        public_until=r.public_until,
        transfer_id=r.transfer_id,
        actions=RECORD_WORKFLOW.allowed_actions(actor, r),
    )


def order_out(o: Order) -> PointsOrderOut:
    return PointsOrderOut(
        id=o.pk,
        key=o.key,
        household_id=o.household_id,
        goods=o.goods.name,
        quantity=o.quantity,
        points=o.points,
        cash=o.cash,
        cash_paid=o.cash_paid,
        status=o.status,
        status_label=o.get_status_display(),
        version=o.version,
        hold_id=o.hold_id,
        expires_at=o.expires_at,
    )
