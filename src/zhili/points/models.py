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
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import AppendOnlyModel, AppendOnlyQuerySetMixin, Event
from zhili.core.fields import ChoiceLabels, PathField
from zhili.core.scoping import ScopedQuerySet


class AccountKind(models.TextChoices):
    HOUSEHOLD = "household", _("农户积分存折")
    BUDGET = "budget", _("积分预算")
    FUNDING = "funding", _("资金来源")
    SHOP = "shop", _("积分超市")
    EXPIRY = "expiry", _("过期积分")


class AccountQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Account(ChoiceLabels, models.Model):
    """One account of a village's ledger. ``debit_limit`` bounds what it may owe: a household or a
    budget may not go below zero (limit 0), a funding source or a sink has none (null)."""

    kind = models.CharField(_("类别"), max_length=16, choices=AccountKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    area = models.ForeignKey("areas.Area", verbose_name=_("村/社区"), on_delete=models.PROTECT)
    area_path = PathField(_("区域路径"), db_index=True)
    funding_source = models.CharField(_("资金来源"), max_length=60, blank=True)
    debit_limit = models.BigIntegerField(_("可透支额度"), null=True, blank=True, default=0)
    debits_posted = models.BigIntegerField(_("已入账借方"), default=0)
    credits_posted = models.BigIntegerField(_("已入账贷方"), default=0)
    debits_pending = models.BigIntegerField(_("冻结借方"), default=0)
    credits_pending = models.BigIntegerField(_("冻结贷方"), default=0)
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    objects = AccountQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("transfer", "reverse", "reconcile")

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
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
    SINGLE = "single", _("入账")
    PENDING = "pending", _("冻结")
    POST = "post", _("冻结转入账")
    VOID = "void", _("解冻（撤销）")
    EXPIRE = "expire", _("解冻（超时）")
    REVERSAL = "reversal", _("冲正")


RESOLVING_KINDS = (TransferKind.POST, TransferKind.VOID, TransferKind.EXPIRE)


class TransferCode(models.TextChoices):
    """What a transfer is for, in the business's words."""

    ALLOCATE = "allocate", _("预算拨付")
    ISSUE = "issue", _("积分发放")
    DEDUCT = "deduct", _("积分扣减")
    REDEEM = "redeem", _("积分兑换")
    EXPIRE_POINTS = "expire_points", _("积分过期")
    CORRECTION = "correction", _("冲正")


class TransferQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet):
    scope_field = "area_path"


class Transfer(ChoiceLabels, AppendOnlyModel):
    """One immutable movement of points from ``debit`` to ``credit``. ``key`` is the client's
    idempotency key of the business event; ``fingerprint`` the hash of the fields a retry must
    repeat."""

    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    fingerprint = models.CharField(_("字段摘要"), max_length=64)
    kind = models.CharField(_("类型"), max_length=12, choices=TransferKind.choices)
    code = models.CharField(_("用途"), max_length=16, choices=TransferCode.choices)
    debit = models.ForeignKey(
        Account,
        verbose_name=_("借方账户"),
        on_delete=models.PROTECT,
        related_name="debit_transfers",
    )
    credit = models.ForeignKey(
        Account,
        verbose_name=_("贷方账户"),
        on_delete=models.PROTECT,
        related_name="credit_transfers",
    )
    amount = models.BigIntegerField(_("积分"))
    pending = models.ForeignKey(
        "self",
        verbose_name=_("冻结单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resolutions",
    )
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("冲正对象"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    batch = models.CharField(_("关联批次"), max_length=40, blank=True, db_index=True)
    timeout_at = models.DateTimeField(_("冻结截止"), null=True, blank=True)
    area_path = PathField(_("区域路径"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("经办人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记账时间"), db_index=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
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
        "areas.Area", verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("网格/楼栋"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"), db_index=True)
    number = models.CharField(_("户号"), max_length=30)
    head_name = models.CharField(_("户主"), max_length=60)
    account = models.OneToOneField(
        Account, verbose_name=_("积分存折"), on_delete=models.PROTECT, related_name="household"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="points_household_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.head_name}"


class Member(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=60)
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")

    def __str__(self) -> str:
        return self.name


# -- village settings and the rule catalogue ------------------------------------------------------


class VillagePoints(models.Model):
    """What a village (or a district/city template) chose: the objection window, the shop's hold
    time, and what its public page shows."""

    area = models.OneToOneField(
        "areas.Area", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"), db_index=True)
    objection_days = models.PositiveSmallIntegerField(_("公示天数"), default=3)
    hold_hours = models.PositiveSmallIntegerField(_("兑换保留小时"), default=72)
    publish_ranking = models.BooleanField(_("公开排名"), default=True)
    mask_names = models.BooleanField(_("公开时隐去户主姓名"), default=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分设置")
        verbose_name_plural = _("积分设置")

    def __str__(self) -> str:
        return gettext("%(area)s积分设置") % {"area": self.area}


class Period(models.TextChoices):
    WEEK = "week", _("每周")
    MONTH = "month", _("每月")
    YEAR = "year", _("每年")


class RuleVersionQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class RuleVersion(models.Model):
    """One published version of an area's rule catalogue. Items are frozen with their version;
    a change is a new version effective from a date, so old records keep the rule they used."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"), db_index=True)
    number = models.PositiveIntegerField(_("版本号"))
    effective_from = models.DateField(_("生效日期"))
    is_template = models.BooleanField(_("模板（供下级复制）"), default=False)
    copied_from = models.ForeignKey(
        "self", verbose_name=_("复制自"), null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    objects = RuleVersionQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("publish", "import")

    class Meta:
        verbose_name = _("积分规则版本")
        verbose_name_plural = _("积分规则版本")
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="points_ruleversion_number")
        ]

    def __str__(self) -> str:
        return gettext("%(area)s v%(number)s（%(effective_from)s起）") % {
            "area": self.area,
            "number": self.number,
            "effective_from": self.effective_from,
        }


class RuleItem(ChoiceLabels, models.Model):
    """One item of a catalogue version: +points for a civic act, −points for a deduction."""

    version = models.ForeignKey(
        RuleVersion, verbose_name=_("规则版本"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.CharField(_("编号"), max_length=20)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    name = models.CharField(_("事项"), max_length=120)
    points = models.IntegerField(pgettext_lazy("points", "分值"))
    cap = models.PositiveIntegerField(_("周期上限"), null=True, blank=True)
    cap_period = models.CharField(
        _("上限周期"), max_length=8, choices=Period.choices, default=Period.MONTH
    )
    evidence_required = models.BooleanField(_("需要照片佐证"), default=True)
    recorder = models.CharField(_("记录人"), max_length=40, default="村组评分员")
    approver = models.CharField(_("审核人"), max_length=40, default="村务监督委员会")
    veto = models.BooleanField(_("一票否决"), default=False)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="points_ruleitem_code"),
            models.CheckConstraint(condition=~Q(points=0), name="points_ruleitem_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name} {self.points:+d}"


# -- recorded civic acts (the workflow) -----------------------------------------------------------


class RecordStatus(models.TextChoices):
    RECORDED = "recorded", _("待审核")
    PUBLIC = "public", _("公示中")
    OBJECTED = "objected", _("有异议")
    COUNTED = "counted", _("已计入")
    REJECTED = "rejected", pgettext_lazy("points", "未通过")


class RecordQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Record(ChoiceLabels, models.Model):
    """A civic act (or a deduction) of a household, recorded by a scorer with a photo, approved by
    another person, shown publicly for the objection window, then counted (posted to the ledger)."""

    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.PROTECT, related_name="records"
    )
    item = models.ForeignKey(RuleItem, verbose_name=_("积分规则"), on_delete=models.PROTECT)
    area_path = PathField(_("区域路径"), db_index=True)
    points = models.IntegerField(pgettext_lazy("points", "分值"))
    occurred_on = models.DateField(_("发生日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    evidence = models.ForeignKey(
        "matters.Attachment",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.RECORDED
    )
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分员"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_until = models.DateTimeField(_("公示截止"), null=True, blank=True)
    transfer = models.ForeignKey(
        Transfer, verbose_name=_("记账流水"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    counted_at = models.DateTimeField(_("计入时间"), null=True, blank=True, db_index=True)

    objects = RecordQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("record", "approve", "object", "resolve")

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")

    def __str__(self) -> str:
        return f"{self.household} {self.item.name} {self.points:+d}"


class RecordEvent(Event):
    record = models.ForeignKey(
        Record, verbose_name=_("积分记录"), on_delete=models.PROTECT, related_name="events"
    )
    subject_field: ClassVar[str] = "record"

    class Meta(Event.Meta):
        verbose_name = _("积分记录过程")
        verbose_name_plural = _("积分记录过程")


# -- the shop -----------------------------------------------------------------------------------


class GoodsQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Goods(models.Model):
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"), db_index=True)
    name = models.CharField(_("商品"), max_length=80)
    price = models.PositiveIntegerField(_("积分价"))
    cash_top_up = models.DecimalField(
        _("现金补差（元）"), max_digits=8, decimal_places=2, default=0
    )
    stock = models.PositiveIntegerField(_("库存"), default=0)
    active = models.BooleanField(_("上架"), default=True)

    objects = GoodsQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("stock",)

    class Meta:
        verbose_name = _("超市商品")
        verbose_name_plural = _("超市商品")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="points_goods_price_pos")
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    HELD = "held", _("待领取")
    PICKED_UP = "picked_up", _("已领取")
    CANCELLED = "cancelled", _("已取消")
    EXPIRED = "expired", _("已超时")


class OrderQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Order(ChoiceLabels, models.Model):
    """A redemption: points held at order, posted at pickup, voided at cancel or timeout."""

    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    household = models.ForeignKey(
        Household, verbose_name=_("农户"), on_delete=models.PROTECT, related_name="orders"
    )
    goods = models.ForeignKey(Goods, verbose_name=_("商品"), on_delete=models.PROTECT)
    area_path = PathField(_("区域路径"), db_index=True)
    quantity = models.PositiveIntegerField(_("数量"))
    points = models.PositiveIntegerField(_("积分"))
    # The goods' cash top-up × quantity, paid in cash at the counter at pickup (not points).
    cash = models.DecimalField(_("现金补差（元）"), max_digits=10, decimal_places=2, default=0)
    cash_paid = models.BooleanField(_("已收现金补差"), default=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.HELD
    )
    version = models.PositiveIntegerField(default=1)
    hold = models.OneToOneField(
        Transfer, verbose_name=_("冻结单"), on_delete=models.PROTECT, related_name="order"
    )
    expires_at = models.DateTimeField(_("领取截止"))
    created_at = models.DateTimeField(_("下单时间"), auto_now_add=True)

    objects = OrderQuerySet.as_manager()
    extra_actions: ClassVar[tuple[str, ...]] = ("redeem", "pickup", "cancel")

    class Meta:
        verbose_name = _("兑换单")
        verbose_name_plural = _("兑换单")

    def __str__(self) -> str:
        return f"{self.goods}×{self.quantity}"


class OrderEvent(Event):
    order = models.ForeignKey(
        Order, verbose_name=_("兑换单"), on_delete=models.PROTECT, related_name="events"
    )
    subject_field: ClassVar[str] = "order"

    class Meta(Event.Meta):
        verbose_name = _("兑换过程")
        verbose_name_plural = _("兑换过程")


class StockMovement(AppendOnlyModel):
    """Every change of a goods' stock (in, reserved by an order, given back), written once."""

    goods = models.ForeignKey(
        Goods, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="movements"
    )
    delta = models.IntegerField(_("数量变化"))
    reason = models.CharField(_("原因"), max_length=20)
    order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.PROTECT)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("库存变动")
        verbose_name_plural = _("库存变动")
