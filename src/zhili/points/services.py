"""Every write of the points bank other than the ledger's own (``points.ledger``): households,
budgets, recorded civic acts through their rules table, and the shop's orders.

Each business event carries one idempotency key into the ledger: ``record:<id>`` for a counted
record, ``order:<key>`` for a redemption's hold and ``order:<key>:pickup`` etc. for its end, so a
retried request or a rerun sweep never posts twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhili.areas.models import Area, Level
from zhili.core.audit import audit_record
from zhili.core.errors import Conflict, ValidationFailed
from zhili.core.scoping import require, require_at
from zhili.points import ledger
from zhili.points.models import (
    Account,
    AccountKind,
    Goods,
    Household,
    Member,
    Order,
    OrderStatus,
    Record,
    RecordStatus,
    RuleItem,
    StockMovement,
    Transfer,
    TransferCode,
    TransferKind,
    VillagePoints,
)
from zhili.points.rules import item_in_force
from zhili.points.workflow import ORDER_WORKFLOW, RECORD_WORKFLOW

# -- villages, households and budgets -------------------------------------------------------------


def village_of(area: Area) -> Area:
    """The village (community level) an area belongs to."""
    if area.level == Level.COMMUNITY:
        return area
    node: Area | None = area
    while node is not None and node.level != Level.COMMUNITY:
        node = node.parent
    if node is None:
        raise ValidationFailed(_("该区域不在任何村（社区）之下"), code="no_village")
    return node


def village_settings(village: Area) -> VillagePoints:
    found = VillagePoints.objects.filter(area=village).first()
    if found is None:
        found = VillagePoints.objects.create(area=village, area_path=village.path)
    return found


def _not_ahead(at: dt.datetime | None) -> None:
    """A loader's time is in the past: nothing is booked ahead of the clock."""
    if at is not None and at > timezone.now():
        raise ValidationFailed(_("记账时间不能晚于现在"), code="future")


# Where a household may be registered: the village itself, one of its grids or buildings.
HOUSEHOLD_LEVELS = (Level.GRID, Level.BUILDING, Level.COMMUNITY)


@transaction.atomic
def household_create(
    *,
    actor: Any,
    area: Area,
    number: str,
    head_name: str,
    members: list[tuple[str, str]] | None = None,
) -> Household:
    """A household living in a grid or building of a village, with its passbook account."""
    if area.level not in HOUSEHOLD_LEVELS:
        raise ValidationFailed(_("农户须登记在村（社区）、网格或楼栋之下"), code="household_area")
    require_at(actor, "add", Household, area.path, noun=_("农户"))
    number, head_name = number.strip(), head_name.strip()
    if not number or not head_name:
        raise ValidationFailed(_("户号和户主不能为空"), code="household_fields")
    village = village_of(area)
    if Household.objects.filter(village=village, number=number).exists():
        raise Conflict(_("本村已有户号“%(n)s”") % {"n": number}, code="household_number")
    account = ledger.account_open(
        kind=AccountKind.HOUSEHOLD, area=village, name=f"{number} {head_name}积分存折"
    )
    household = Household.objects.create(
        village=village,
        area=area,
        area_path=area.path,
        number=number,
        head_name=head_name,
        account=account,
    )
    Member.objects.bulk_create(
        Member(household=household, name=name, relation=relation)
        for name, relation in members or []
    )
    audit_record(
        actor=actor, action="points.household_create", obj=household, after={"number": number}
    )
    return household


@transaction.atomic
def member_add(*, actor: Any, household: Household, name: str, relation: str = "") -> Member:
    """A member of a household (家庭成员); the household's committee records it."""
    require(actor, "change", household, noun=_("农户"))
    name, relation = name.strip(), relation.strip()
    if not name or len(name) > 60 or len(relation) > 20:
        raise ValidationFailed(_("请填写成员姓名（60 字以内）和关系（20 字以内）"), code="member")
    member = Member.objects.create(household=household, name=name, relation=relation)
    audit_record(
        actor=actor,
        action="points.member_add",
        obj=household,
        area_path=household.area_path,
        after={"relation": relation},
    )
    return member


SETTINGS_FIELDS = ["objection_days", "hold_hours", "publish_ranking", "mask_names"]


@transaction.atomic
def village_settings_update(
    *,
    actor: Any,
    village: Area,
    objection_days: int,
    hold_hours: int,
    publish_ranking: bool,
    mask_names: bool,
) -> VillagePoints:
    """What the village chose: the objection window before records count, how long the shop
    holds an order, whether its public board shows the ranking, and whether household heads'
    names are masked there."""
    settings = village_settings(village)
    require(actor, "change", settings, noun=_("积分设置"))
    if not 1 <= objection_days <= 30:
        raise ValidationFailed(_("公示天数应在 1 到 30 天之间"), code="objection_days")
    if not 1 <= hold_hours <= 720:
        raise ValidationFailed(_("兑换保留时间应在 1 到 720 小时之间"), code="hold_hours")
    locked = VillagePoints.objects.select_for_update().get(pk=settings.pk)
    before = {f: getattr(locked, f) for f in SETTINGS_FIELDS}
    locked.objection_days, locked.hold_hours = objection_days, hold_hours
    locked.publish_ranking, locked.mask_names = bool(publish_ranking), bool(mask_names)
    locked.save(update_fields=SETTINGS_FIELDS)
    audit_record(
        actor=actor,
        action="points.settings_update",
        obj=locked,
        area_path=village.path,
        before=before,
        after={f: getattr(locked, f) for f in SETTINGS_FIELDS},
    )
    return locked


def budget_account(village: Area, funding_source: str) -> Account:
    """The village's budget of one funding source (opened empty, limit 0)."""
    found = Account.objects.filter(
        area=village, kind=AccountKind.BUDGET, funding_source=funding_source
    ).first()
    if found is not None:
        return found
    return ledger.account_open(
        kind=AccountKind.BUDGET,
        area=village,
        name=f"{village.name}积分预算（{funding_source}）",
        funding_source=funding_source,
    )


@transaction.atomic
def budget_allocate(
    *,
    actor: Any,
    village: Area,
    funding_source: str,
    amount: int,
    key: str,
    at: dt.datetime | None = None,
) -> Transfer:
    """Money allocated to a village's points (1 point ≈ ¥1): funding source → budget. ``at``
    (when it was booked) is for loaders of past weeks; pages and the API never pass it."""
    _not_ahead(at)
    require_at(actor, "transfer", Account, village.path, noun=_("积分账户"))
    funding_source = funding_source.strip()
    if not funding_source:
        raise ValidationFailed(_("请填写资金来源"), code="funding_source")
    budget = budget_account(village, funding_source)
    source = ledger.village_account(village, AccountKind.FUNDING, funding_source)
    transfer = ledger.transfer_create(
        actor=actor,
        key=key,
        debit=source,
        credit=budget,
        amount=amount,
        code=TransferCode.ALLOCATE,
        memo=f"预算拨付：{funding_source}",  # stored: Chinese whatever the language
        now=at,
    )
    audit_record(actor=actor, action="points.budget_allocate", obj=budget, after={"amount": amount})
    return transfer


@transaction.atomic
def transfer_reverse(*, actor: Any, transfer: Transfer, key: str, memo: str) -> Transfer:
    """A correction: the reversal of a posted transfer (never an edit)."""
    require(actor, "reverse", transfer.debit, noun=_("积分账户"))
    if not memo.strip():
        raise ValidationFailed(_("冲正须说明原因"), code="memo")
    reversal = ledger.transfer_reverse(actor=actor, key=key, transfer=transfer, memo=memo)
    audit_record(
        actor=actor,
        action="points.transfer_reverse",
        obj=transfer.debit,
        after={"transfer": transfer.pk, "reversal": reversal.pk},
        note=memo,
    )
    return reversal


@transaction.atomic
def household_points_expire(
    *, actor: Any, household: Household, key: str, memo: str
) -> Transfer | None:
    """Points lapse (a village's yearly clearing, assumed rule): the household's available points
    move to the village's expiry account; held points stay held. None when nothing is available."""
    require(actor, "transfer", household.account, noun=_("积分账户"))
    first = Transfer.objects.filter(key=key).first()
    if first is not None:  # a retry: the first result (the amount was what was available then)
        if first.debit_id != household.account_id or first.code != TransferCode.EXPIRE_POINTS:
            raise Conflict(
                _("幂等键“%(key)s”已用于另一笔业务") % {"key": key}, code="idempotency_conflict"
            )
        return first
    account = Account.objects.get(pk=household.account_id)
    if account.available <= 0:
        return None
    expiry = ledger.village_account(household.village, AccountKind.EXPIRY)
    return ledger.transfer_create(
        actor=actor,
        key=key,
        debit=account,
        credit=expiry,
        amount=account.available,
        code=TransferCode.EXPIRE_POINTS,
        memo=memo or "积分到期清零",  # stored: Chinese whatever the language
    )


# -- recorded civic acts --------------------------------------------------------------------------


@transaction.atomic
def record_create(
    *,
    actor: Any,
    household: Household,
    item: RuleItem,
    occurred_on: dt.date,
    note: str = "",
    evidence: Any = None,
    at: dt.datetime | None = None,
) -> Record:
    """A scorer records an act of a household under the rule in force on that day. ``at`` (when
    it was recorded) is for loaders of past weeks; pages and the API never pass it."""
    _not_ahead(at)
    require_at(actor, "record", Record, household.area_path, noun=_("积分记录"))
    in_force = item_in_force(household.village, item.code, occurred_on)
    if in_force is None or in_force.pk != item.pk:
        raise ValidationFailed(
            _("该积分规则在%(d)s不适用于本村，请按当日生效的规则记录") % {"d": occurred_on},
            code="rule_not_in_force",
        )
    if item.evidence_required and evidence is None:
        raise ValidationFailed(_("该事项须附现场照片"), code="evidence_required")
    if item.cap:
        from zhili.points.selectors import period_bounds

        start, end = period_bounds(item.cap_period, occurred_on)
        used = (
            Record.objects.filter(
                household=household,
                item__code=item.code,
                occurred_on__gte=start,
                occurred_on__lt=end,
            )
            .exclude(status=RecordStatus.REJECTED)
            .count()
        )
        if used >= item.cap:
            raise ValidationFailed(
                _("“%(n)s”本周期最多记录%(c)d次，已达上限") % {"n": item.name, "c": item.cap},
                code="cap_reached",
            )
    if occurred_on > timezone.localdate():
        raise ValidationFailed(_("发生日期不能晚于今天"), code="occurred_on")
    record = Record.objects.create(
        household=household,
        item=item,
        area_path=household.area_path,
        points=item.points,
        occurred_on=occurred_on,
        note=note[:200],
        evidence=evidence,
        recorded_by=actor,
    )
    if at is not None:  # created_at is stamped with the clock on insert
        Record.objects.filter(pk=record.pk).update(created_at=at)
        record.created_at = at
    RECORD_WORKFLOW.record(
        actor=actor,
        obj=record,
        action="record",
        before="",
        at=at,
        data={"item": item.code, "points": item.points},
    )
    return record


def record_act(
    *,
    actor: Any,
    record: Record | int,
    action: str,
    note: str = "",
    version: int | None = None,
    at: dt.datetime | None = None,
) -> Record:
    """Approve, reject, object, uphold, dismiss or appeal (the rules table decides who and when).
    ``at`` (when it was done) is for loaders of past weeks; pages and the API never pass it."""
    _not_ahead(at)
    if action not in RECORD_WORKFLOW.rules or RECORD_WORKFLOW.rules[action].system:
        raise ValidationFailed(_("未知的操作"), code="action")
    if action in ("object", "uphold", "dismiss", "appeal", "reject") and not note.strip():
        raise ValidationFailed(_("请填写理由"), code="note")

    def apply(obj: Record, now: dt.datetime) -> None:
        if action == "approve":
            obj.approved_by = actor
        if action in ("approve", "dismiss") and obj.public_until is None:
            days = village_settings(obj.household.village).objection_days
            obj.public_until = now + dt.timedelta(days=days)

    with transaction.atomic():
        return RECORD_WORKFLOW.transition(
            actor=actor, obj=record, action=action, apply=apply, note=note, version=version, at=at
        )


def _count(record: Record, actor: Any, now: dt.datetime) -> None:
    """Post the counted record: budget → household (a deduction: household → budget, as far as
    the household's available points go; what could not be deducted is noted in the event)."""
    household = record.household
    budget = Account.objects.filter(area=household.village, kind=AccountKind.BUDGET).order_by("pk")
    source = budget.first()
    if source is None:
        raise Conflict(_("本村尚无积分预算"), code="no_budget")
    if record.points > 0:
        # Draw on the first budget that can pay (funding sources in the order they were opened).
        payer = next((b for b in budget if b.available >= record.points), source)
        transfer = ledger.transfer_create(
            actor=actor,
            key=f"record:{record.pk}",
            debit=payer,
            credit=household.account,
            amount=record.points,
            code=TransferCode.ISSUE,
            memo=record.item.name,
            now=now,
        )
    else:
        household.account.refresh_from_db()
        amount = min(-record.points, max(household.account.available, 0))
        if amount == 0:
            return
        transfer = ledger.transfer_create(
            actor=actor,
            key=f"record:{record.pk}",
            debit=household.account,
            credit=source,
            amount=amount,
            code=TransferCode.DEDUCT,
            memo=record.item.name,
            now=now,
        )
    record.transfer = transfer


def records_count_due(*, now: dt.datetime | None = None) -> int:
    """Count every record whose public window has passed (the sweep; idempotent)."""
    now = now or timezone.now()
    due = Record.objects.filter(status=RecordStatus.PUBLIC, public_until__lte=now)
    done = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            record = RECORD_WORKFLOW.lock(pk)
            if record.status != RecordStatus.PUBLIC or record.public_until > now:
                continue
            before = record.status
            _count(record, None, now)
            record.status = RecordStatus.COUNTED
            record.counted_at = now
            record.version += 1
            record.save()
            RECORD_WORKFLOW.record(
                actor=None,
                obj=record,
                action="count",
                before=before,
                at=now,
                data={"points": record.points, "transfer": record.transfer_id},
            )
            done += 1
    return done


# -- the shop -------------------------------------------------------------------------------------


@transaction.atomic
def goods_create(
    *, actor: Any, village: Area, name: str, price: int, stock: int = 0, cash_top_up: Any = 0
) -> Goods:
    require_at(actor, "add", Goods, village.path, noun=_("商品"))
    if not name.strip() or len(name.strip()) > 80 or price <= 0:
        raise ValidationFailed(_("请填写商品名称和积分价（正整数）"), code="goods_fields")
    try:
        cash = Decimal(str(cash_top_up or 0))
    except InvalidOperation:
        cash = Decimal(-1)
    if not cash.is_finite() or not Decimal(0) <= cash <= Decimal(10000):
        raise ValidationFailed(_("现金补差应在 0 到 10000 元之间"), code="cash_top_up")
    goods = Goods.objects.create(
        area=village,
        area_path=village.path,
        name=name.strip(),
        price=price,
        cash_top_up=cash,
    )
    audit_record(
        actor=actor,
        action="points.goods_create",
        obj=goods,
        area_path=village.path,
        after={"price": price, "cash_top_up": str(cash)},
    )
    if stock:
        goods_stock(actor=actor, goods=goods, quantity=stock)
    return goods


@transaction.atomic
def goods_stock(*, actor: Any, goods: Goods, quantity: int) -> Goods:
    """Goods come in (a positive quantity) or are written off (negative, not below zero)."""
    require(actor, "stock", goods, noun=_("商品"))
    locked = Goods.objects.select_for_update().get(pk=goods.pk)
    if quantity == 0 or locked.stock + quantity < 0:
        raise ValidationFailed(_("库存数量不正确"), code="stock")
    locked.stock += quantity
    locked.save(update_fields=["stock"])
    StockMovement.objects.create(
        goods=locked,
        delta=quantity,
        reason="in" if quantity > 0 else "out",
        actor=actor,
        at=timezone.now(),
    )
    audit_record(actor=actor, action="points.goods_stock", obj=locked, after={"quantity": quantity})
    return locked


def order_place(
    *, actor: Any, household: Household, goods: Goods, quantity: int, key: str
) -> Order:
    """Redeem: reserve the goods and hold the household's points until pickup. A retry with the
    same key returns the first order; the same key for another order is refused."""
    if quantity <= 0:
        raise ValidationFailed(_("数量须为正整数"), code="quantity")
    with transaction.atomic():
        require_at(actor, "redeem", Order, household.area_path, noun=_("兑换单"))
        existing = Order.objects.filter(key=key).first()
        if existing is not None:
            if (existing.household_id, existing.goods_id, existing.quantity) != (
                household.pk,
                goods.pk,
                quantity,
            ):
                raise Conflict(
                    _("幂等键“%(key)s”已用于另一笔兑换") % {"key": key},
                    code="idempotency_conflict",
                )
            return existing
        locked = Goods.objects.select_for_update().get(pk=goods.pk)
        if not locked.active or locked.area_id != household.village_id:
            raise ValidationFailed(_("该商品不在本村超市上架"), code="goods_unavailable")
        if locked.stock < quantity:
            raise Conflict(_("“%(g)s”库存不足") % {"g": locked.name}, code="out_of_stock")
        now = timezone.now()
        expires = now + dt.timedelta(hours=village_settings(household.village).hold_hours)
        shop = ledger.village_account(household.village, AccountKind.SHOP)
        hold = ledger.transfer_create(
            actor=actor,
            key=f"order:{key}",
            debit=household.account,
            credit=shop,
            amount=locked.price * quantity,
            code=TransferCode.REDEEM,
            pending=True,
            timeout_at=expires,
            memo=f"{locked.name}×{quantity}",
            now=now,
        )
        order = Order.objects.create(
            key=key,
            household=household,
            goods=locked,
            area_path=household.area_path,
            quantity=quantity,
            points=hold.amount,
            cash=locked.cash_top_up * quantity,
            hold=hold,
            expires_at=expires,
        )
        locked.stock -= quantity
        locked.save(update_fields=["stock"])
        StockMovement.objects.create(
            goods=locked, delta=-quantity, reason="order", order=order, actor=actor, at=now
        )
        ORDER_WORKFLOW.record(
            actor=actor,
            obj=order,
            action="redeem",
            before="",
            at=now,
            data={"points": order.points, "goods": locked.name}
            | ({"cash": str(order.cash)} if order.cash else {}),
        )
        return order


def _give_back(order: Order, actor: Any, now: dt.datetime) -> None:
    goods = Goods.objects.select_for_update().get(pk=order.goods_id)
    goods.stock += order.quantity
    goods.save(update_fields=["stock"])
    StockMovement.objects.create(
        goods=goods, delta=order.quantity, reason="return", order=order, actor=actor, at=now
    )


def order_act(
    *,
    actor: Any,
    order: Order | int,
    action: str,
    version: int | None = None,
    cash_paid: bool = False,
) -> Order:
    """Pickup (the hold is posted) or cancel (voided, the goods go back on the shelf). Goods with
    a cash top-up are handed over only when the shopkeeper confirms the cash was paid."""
    if action not in ("pickup", "cancel"):
        raise ValidationFailed(_("未知的操作"), code="action")
    data: dict[str, Any] = {}

    def apply(obj: Order, now: dt.datetime) -> None:
        if action == "pickup" and obj.cash > 0:
            if not cash_paid:
                raise ValidationFailed(
                    _("请先收取现金补差 %(cash)s 元，并勾选“已收现金补差”") % {"cash": obj.cash},
                    code="cash_unpaid",
                )
            obj.cash_paid = True
            data["cash"] = str(obj.cash)
        kind = TransferKind.POST if action == "pickup" else TransferKind.VOID
        ledger.hold_resolve(
            actor=actor, key=f"order:{obj.key}:{action}", hold=obj.hold_id, kind=kind, now=now
        )
        if action == "cancel":
            _give_back(obj, actor, now)

    with transaction.atomic():
        return ORDER_WORKFLOW.transition(
            actor=actor, obj=order, action=action, apply=apply, version=version, data=data
        )


def orders_expire_due(*, now: dt.datetime | None = None) -> int:
    """Orders not picked up in time: the hold expires, the goods go back (idempotent)."""
    now = now or timezone.now()
    due = Order.objects.filter(status=OrderStatus.HELD, expires_at__lte=now)
    done = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            order = ORDER_WORKFLOW.lock(pk)
            if order.status != OrderStatus.HELD:
                continue
            ledger.hold_resolve(
                actor=None,
                key=f"order:{order.key}:expire",
                hold=order.hold_id,
                kind=TransferKind.EXPIRE,
                now=now,
            )
            _give_back(order, None, now)
            before = order.status
            order.status = OrderStatus.EXPIRED
            order.version += 1
            order.save()
            ORDER_WORKFLOW.record(actor=None, obj=order, action="expire", before=before, at=now)
            done += 1
    return done
