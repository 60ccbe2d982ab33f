"""积分银行: a double-entry ledger of points (accounts and immutable transfers), households, the
rule catalogue, recorded civic acts and the points shop.

The ledger follows TigerBeetle's model: an account keeps four cached sums (debits/credits,
posted/pending) written only by ``points.ledger`` under row locks; a transfer is written once and
never changed (corrections are reversals, a hold resolves at most once). The database refuses
what it can by itself: amount > 0, debit ≠ credit, a hold resolved twice, a transfer reversed
twice, an account past its limit, and any UPDATE or DELETE of a transfer (``AppendOnly``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhili.core.events import AppendOnlyModel, AppendOnlyQuerySetMixin, Event
from zhili.core.fields import PathField
from zhili.core.scoping import ScopedQuerySet


class AccountKind(models.TextChoices):
    HOUSEHOLD = "household", "农户积分存折"
    BUDGET = "budget", "积分预算"
    FUNDING = "funding", "资金来源"
    SHOP = "shop", "积分超市"
    EXPIRY = "expiry", "过期积分"


class AccountQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Account(models.Model):
    """One account of a village's ledger. ``debit_limit`` bounds what it may owe: a household or a
    budget may not go below zero (limit 0), a funding source or a sink has none (null)."""

    kind = models.CharField("类别", max_length=16, choices=AccountKind.choices)
    name = models.CharField("名称", max_length=120)
    area = models.ForeignKey("areas.Area", verbose_name="村/社区", on_delete=models.PROTECT)
    area_path = PathField("区域路径", db_index=True)
    funding_source = models.CharField("资金来源", max_length=60, blank=True)
    debit_limit = models.BigIntegerField("可透支额度", null=True, blank=True, default=0)
    debits_posted = models.BigIntegerField("已入账借方", default=0)
    credits_posted = models.BigIntegerField("已入账贷方", default=0)
    debits_pending = models.BigIntegerField("冻结借方", default=0)
    credits_pending = models.BigIntegerField("冻结贷方", default=0)
    created_at = models.DateTimeField("开户时间", auto_now_add=True)

    objects = AccountQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("transfer", "reverse", "reconcile")

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        constraints = [
            models.CheckConstraint(
                condition=Q(debits_posted__gte=0)
                & Q(credits_posted__gte=0)
                & Q(debits_pending__gte=0)
                & Q(credits_pending__gte=0),
                name="points_account_sums_not_negative",
            ),
            # The balance limit, enforced by the database on every write of the cached sums.
            models.CheckConstraint(
                condition=Q(debit_limit__isnull=True)
                | Q(
                    debits_posted__lte=F("credits_posted") + F("debit_limit") - F("debits_pending")
                ),
                name="points_account_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def balance(self) -> int:
        """Posted credits minus posted debits (what the passbook shows)."""
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        """What can still be spent: the balance less what holds reserve."""
        return self.balance - self.debits_pending


class TransferKind(models.TextChoices):
    SINGLE = "single", "入账"
    PENDING = "pending", "冻结"
    POST = "post", "冻结转入账"
    VOID = "void", "解冻（撤销）"
    EXPIRE = "expire", "解冻（超时）"
    REVERSAL = "reversal", "冲正"


RESOLVING_KINDS = (TransferKind.POST, TransferKind.VOID, TransferKind.EXPIRE)


class TransferCode(models.TextChoices):
    """What a transfer is for, in the business's words."""

    ALLOCATE = "allocate", "预算拨付"
    ISSUE = "issue", "积分发放"
    DEDUCT = "deduct", "积分扣减"
    REDEEM = "redeem", "积分兑换"
    EXPIRE_POINTS = "expire_points", "积分过期"
    CORRECTION = "correction", "冲正"


class TransferQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet):
    scope_field = "area_path"


class Transfer(AppendOnlyModel):
    """One immutable movement of points from ``debit`` to ``credit``. ``key`` is the client's
    idempotency key of the business event; ``fingerprint`` the hash of the fields a retry must
    repeat."""

    key = models.CharField("幂等键", max_length=100, unique=True)
    fingerprint = models.CharField("字段摘要", max_length=64)
    kind = models.CharField("类型", max_length=12, choices=TransferKind.choices)
    code = models.CharField("用途", max_length=16, choices=TransferCode.choices)
    debit = models.ForeignKey(
        Account, verbose_name="借方账户", on_delete=models.PROTECT, related_name="debit_transfers"
    )
    credit = models.ForeignKey(
        Account, verbose_name="贷方账户", on_delete=models.PROTECT, related_name="credit_transfers"
    )
    amount = models.BigIntegerField("积分")
    pending = models.ForeignKey(
        "self",
        verbose_name="冻结单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name="冲正对象",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    batch = models.CharField("关联批次", max_length=40, blank=True, db_index=True)
    timeout_at = models.DateTimeField("冻结截止", null=True, blank=True)
    area_path = PathField("区域路径", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    memo = models.CharField("摘要", max_length=200, blank=True)
    created_at = models.DateTimeField("记账时间", db_index=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = "积分流水"
        verbose_name_plural = "积分流水"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_transfer_amount_pos"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="points_transfer_two_accounts"
            ),
            # A hold resolves at most once (post, void or expire), a transfer is reversed once.
            models.UniqueConstraint(
                fields=["pending"],
                condition=Q(kind__in=["post", "void", "expire"]),
                name="points_hold_resolves_once",
            ),
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="points_transfer_reversed_once",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["post", "void", "expire"], pending__isnull=False)
                | (~Q(kind__in=["post", "void", "expire"]) & Q(pending__isnull=True)),
                name="points_transfer_pending_iff_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.key})"


# -- households ---------------------------------------------------------------------------------


class HouseholdQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Household(models.Model):
    """A household (户) of a village, living in a building/grid area under it; its points passbook
    is ``account``."""

    village = models.ForeignKey(
        "areas.Area", verbose_name="村/社区", on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name="网格/楼栋", on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField("区域路径", db_index=True)
    number = models.CharField("户号", max_length=30)
    head_name = models.CharField("户主", max_length=60)
    account = models.OneToOneField(
        Account, verbose_name="积分存折", on_delete=models.PROTECT, related_name="household"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="points_household_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField("姓名", max_length=60)
    relation = models.CharField("与户主关系", max_length=20, blank=True)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"

    def __str__(self) -> str:
        return self.name


# -- village settings and the rule catalogue ------------------------------------------------------


class VillagePoints(models.Model):
    """What a village (or a district/city template) chose: the objection window, the shop's hold
    time, and what its public page shows."""

    area = models.OneToOneField(
        "areas.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField("区域路径", db_index=True)
    objection_days = models.PositiveSmallIntegerField("公示天数", default=3)
    hold_hours = models.PositiveSmallIntegerField("兑换保留小时", default=72)
    publish_ranking = models.BooleanField("公开排名", default=True)
    mask_names = models.BooleanField("公开时隐去户主姓名", default=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = "积分设置"
        verbose_name_plural = "积分设置"

    def __str__(self) -> str:
        return f"{self.area}积分设置"


class Period(models.TextChoices):
    WEEK = "week", "每周"
    MONTH = "month", "每月"
    YEAR = "year", "每年"


class RuleVersionQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class RuleVersion(models.Model):
    """One published version of an area's rule catalogue. Items are frozen with their version;
    a change is a new version effective from a date, so old records keep the rule they used."""

    area = models.ForeignKey(
        "areas.Area", verbose_name="区域", on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField("区域路径", db_index=True)
    number = models.PositiveIntegerField("版本号")
    effective_from = models.DateField("生效日期")
    is_template = models.BooleanField("模板（供下级复制）", default=False)
    copied_from = models.ForeignKey(
        "self", verbose_name="复制自", null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField("说明", max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = RuleVersionQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("publish", "import")

    class Meta:
        verbose_name = "积分规则版本"
        verbose_name_plural = "积分规则版本"
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="points_ruleversion_number")
        ]

    def __str__(self) -> str:
        return f"{self.area} v{self.number}（{self.effective_from}起）"


class RuleItem(models.Model):
    """One item of a catalogue version: +points for a civic act, −points for a deduction."""

    version = models.ForeignKey(
        RuleVersion, verbose_name="规则版本", on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField("编号", max_length=20)
    category = models.CharField("类别", max_length=40, blank=True)
    name = models.CharField("事项", max_length=120)
    points = models.IntegerField("分值")
    cap = models.PositiveIntegerField("周期上限", null=True, blank=True)
    cap_period = models.CharField(
        "上限周期", max_length=8, choices=Period.choices, default=Period.MONTH
    )
    evidence_required = models.BooleanField("需要照片佐证", default=True)
    recorder = models.CharField("记录人", max_length=40, default="村组评分员")
    approver = models.CharField("审核人", max_length=40, default="村务监督委员会")
    veto = models.BooleanField("一票否决", default=False)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="points_ruleitem_code"),
            models.CheckConstraint(condition=~Q(points=0), name="points_ruleitem_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} {self.points:+d}"


# -- recorded civic acts (the workflow) -----------------------------------------------------------


class RecordStatus(models.TextChoices):
    RECORDED = "recorded", "待审核"
    PUBLIC = "public", "公示中"
    OBJECTED = "objected", "有异议"
    COUNTED = "counted", "已计入"
    REJECTED = "rejected", "未通过"


class RecordQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Record(models.Model):
    """A civic act (or a deduction) of a household, recorded by a scorer with a photo, approved by
    another person, shown publicly for the objection window, then counted (posted to the ledger)."""

    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="records"
    )
    item = models.ForeignKey(RuleItem, verbose_name="积分规则", on_delete=models.PROTECT)
    area_path = PathField("区域路径", db_index=True)
    points = models.IntegerField("分值")
    occurred_on = models.DateField("发生日期")
    note = models.CharField("说明", max_length=200, blank=True)
    evidence = models.ForeignKey(
        "matters.Attachment",
        verbose_name="照片",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=12, choices=RecordStatus.choices, default=RecordStatus.RECORDED
    )
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评分员", on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_until = models.DateTimeField("公示截止", null=True, blank=True)
    transfer = models.ForeignKey(
        Transfer, verbose_name="记账流水", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)
    counted_at = models.DateTimeField("计入时间", null=True, blank=True, db_index=True)

    objects = RecordQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("record", "approve", "object", "resolve")

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"

    def __str__(self) -> str:
        return f"{self.household} {self.item.name} {self.points:+d}"


class RecordEvent(Event):
    record = models.ForeignKey(
        Record, verbose_name="积分记录", on_delete=models.PROTECT, related_name="events"
    )
    subject_field: ClassVar[str] = "record"

    class Meta(Event.Meta):
        verbose_name = "积分记录过程"
        verbose_name_plural = "积分记录过程"


# -- the shop -----------------------------------------------------------------------------------


class GoodsQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Goods(models.Model):
    area = models.ForeignKey(
        "areas.Area", verbose_name="村/社区", on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField("区域路径", db_index=True)
    name = models.CharField("商品", max_length=80)
    price = models.PositiveIntegerField("积分价")
    cash_top_up = models.DecimalField("现金补差（元）", max_digits=8, decimal_places=2, default=0)
    stock = models.PositiveIntegerField("库存", default=0)
    active = models.BooleanField("上架", default=True)

    objects = GoodsQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("stock",)

    class Meta:
        verbose_name = "超市商品"
        verbose_name_plural = "超市商品"
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="points_goods_price_pos")
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    HELD = "held", "待领取"
    PICKED_UP = "picked_up", "已领取"
    CANCELLED = "cancelled", "已取消"
    EXPIRED = "expired", "已超时"


class OrderQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Order(models.Model):
    """A redemption: points held at order, posted at pickup, voided at cancel or timeout."""

    key = models.CharField("幂等键", max_length=100, unique=True)
    household = models.ForeignKey(
        Household, verbose_name="农户", on_delete=models.PROTECT, related_name="orders"
    )
    goods = models.ForeignKey(Goods, verbose_name="商品", on_delete=models.PROTECT)
    area_path = PathField("区域路径", db_index=True)
    quantity = models.PositiveIntegerField("数量")
    points = models.PositiveIntegerField("积分")
    # The goods' cash top-up × quantity, paid in cash at the counter at pickup (not points).
    cash = models.DecimalField("现金补差（元）", max_digits=10, decimal_places=2, default=0)
    cash_paid = models.BooleanField("已收现金补差", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=OrderStatus.choices, default=OrderStatus.HELD
    )
    version = models.PositiveIntegerField(default=1)
    hold = models.OneToOneField(
        Transfer, verbose_name="冻结单", on_delete=models.PROTECT, related_name="order"
    )
    expires_at = models.DateTimeField("领取截止")
    created_at = models.DateTimeField("下单时间", auto_now_add=True)

    objects = OrderQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("redeem", "pickup", "cancel")

    class Meta:
        verbose_name = "兑换单"
        verbose_name_plural = "兑换单"

    def __str__(self) -> str:
        return f"{self.goods}×{self.quantity}"


class OrderEvent(Event):
    order = models.ForeignKey(
        Order, verbose_name="兑换单", on_delete=models.PROTECT, related_name="events"
    )
    subject_field: ClassVar[str] = "order"

    class Meta(Event.Meta):
        verbose_name = "兑换过程"
        verbose_name_plural = "兑换过程"


class StockMovement(AppendOnlyModel):
    """Every change of a goods' stock (in, reserved by an order, given back), written once."""

    goods = models.ForeignKey(
        Goods, verbose_name="商品", on_delete=models.PROTECT, related_name="movements"
    )
    delta = models.IntegerField("数量变化")
    reason = models.CharField("原因", max_length=20)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "库存变动"
        verbose_name_plural = "库存变动"
