"""Residents' matters (群众诉求): catalogue, the matter itself, its immutable events, rollups."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhili.core.context import request_memo
from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet, has_any, path_prefix_q, scope_paths


class Topic(models.TextChoices):
    """五事共抓: the top-level axis of the catalogue."""

    PARTY = "party", gettext_lazy("基层党建")
    SELF_GOVERNANCE = "self_governance", gettext_lazy("居民自治")
    SAFETY = "safety", gettext_lazy("平安稳定")
    CIVILITY = "civility", gettext_lazy("文明素养")
    ENVIRONMENT = "environment", gettext_lazy("发展环境")


class HandlingMode(models.TextChoices):
    """四事四办: each mode has its own default time limits."""

    IMMEDIATE = "immediate", gettext_lazy("小事马上办")
    TIMED = "timed", gettext_lazy("难事限时办")
    CONSULT = "consult", gettext_lazy("大事会商办")
    URGENT = "urgent", gettext_lazy("急事特事特办")


# Default limits per mode and stage: (value, unit) with unit "h" (hours) or "wd" (working days).
# Calibrated on Beijing's 12345 standard (emergency feedback 2 h, general 7 days, complex 15 days).
STAGES = ("dispatch", "sign", "contact", "handle")
STAGE_LABELS = {
    "dispatch": gettext_lazy("立案派遣"),
    "sign": gettext_lazy("签收"),
    "contact": gettext_lazy("联系群众"),
    "handle": gettext_lazy("办结"),
}
DEFAULT_LIMITS: dict[str, dict[str, list[Any]]] = {
    HandlingMode.IMMEDIATE: {
        "dispatch": [4, "h"],
        "sign": [4, "h"],
        "contact": [1, "wd"],
        "handle": [3, "wd"],
    },
    HandlingMode.TIMED: {
        "dispatch": [1, "wd"],
        "sign": [1, "wd"],
        "contact": [1, "wd"],
        "handle": [7, "wd"],
    },
    HandlingMode.CONSULT: {
        "dispatch": [1, "wd"],
        "sign": [1, "wd"],
        "contact": [2, "wd"],
        "handle": [15, "wd"],
    },
    HandlingMode.URGENT: {
        "dispatch": [1, "h"],
        "sign": [1, "h"],
        "contact": [2, "h"],
        "handle": [24, "h"],
    },
}


def default_limit(mode: str, stage: str) -> list[Any]:
    """四事四办: the mode's default limit of a stage, [value, unit], as the city set it on 业务参数
    (``matters.limit.<mode>.<stage>``; the shipped values are ``DEFAULT_LIMITS``)."""
    from zhili.core.tunables import value

    unit = DEFAULT_LIMITS[mode][stage][1]
    return [value(f"matters.limit.{mode}.{stage}"), unit]


class CategoryQuerySet(ScopedQuerySet):
    """The catalogue is city-wide: visible in full to anyone who may view it anywhere."""

    def visible_to(self, user: Any, action: str = "view") -> Self:
        return self if has_any(user, self.model, action) else self.none()


class Category(ChoiceLabels, models.Model):
    """A two-level catalogue entry: a group (parent=None) or a category under a group."""

    code = models.SlugField(gettext_lazy("代码"), max_length=40, unique=True)
    name = models.CharField(gettext_lazy("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        verbose_name=gettext_lazy("大类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    topic = models.CharField(gettext_lazy("五事"), max_length=20, choices=Topic.choices)
    handling_mode = models.CharField(
        gettext_lazy("四事四办"),
        max_length=12,
        choices=HandlingMode.choices,
        default=HandlingMode.TIMED,
    )
    limits = models.JSONField(
        gettext_lazy("时限（覆盖默认）"),
        default=dict,
        blank=True,
        help_text=gettext_lazy('如 {"handle": [5, "wd"], "sign": [2, "h"]}'),
    )
    hint = models.TextField(gettext_lazy("填报提示"), blank=True)
    questions = models.JSONField(gettext_lazy("补充问题"), default=list, blank=True)
    allow_anonymous = models.BooleanField(gettext_lazy("允许匿名"), default=False)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    order = models.PositiveIntegerField(gettext_lazy("排序"), default=0)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("诉求分类")
        verbose_name_plural = gettext_lazy("诉求分类")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def limit(self, stage: str, mode: str | None = None) -> tuple[float, str]:
        value = (self.limits or {}).get(stage) or default_limit(mode or self.handling_mode, stage)
        return float(value[0]), str(value[1])


class RoutingRule(models.Model):
    """Area subtree + category → the default responsible unit (the deepest matching area wins)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    area = models.ForeignKey("areas.Area", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = gettext_lazy("派单规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="routing_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.category} @ {self.area} → {self.unit}"


class Channel(models.TextChoices):
    STAFF = "staff", gettext_lazy("代报")
    GRID = "grid", gettext_lazy("网格员上报")
    BUILDING_DAY = "building_day", gettext_lazy("楼栋工作日")
    HOTLINE = "hotline", gettext_lazy("12345 热线")
    WEB = "web", gettext_lazy("群众网上提交")
    OPEN311 = "open311", gettext_lazy("Open311 接口")
    REFERRAL = "referral", gettext_lazy("上级交办")
    PETITION = "petition", gettext_lazy("信访")
    VIDEO = "video", gettext_lazy("雪亮工程视频发现")


class Status(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("待受理")
    ACCEPTED = "accepted", gettext_lazy("待派遣")
    REJECTED = "rejected", pgettext_lazy("status", "不予立案")  # the action is 不予立案 too
    DISPATCHED = "dispatched", gettext_lazy("待签收")
    RETURNED = "returned", gettext_lazy("已退单待改派")
    HANDLING = "handling", gettext_lazy("处置中")
    REPORTED = "reported", gettext_lazy("待核查")
    VERIFIED = "verified", gettext_lazy("待结案")
    CLOSED = "closed", gettext_lazy("已结案待回访")
    RATED = "rated", gettext_lazy("已回访")
    SUSPENDED = "suspended", gettext_lazy("挂起")
    MERGED = "merged", gettext_lazy("已并单")


OPEN_STATUSES = [
    Status.SUBMITTED,
    Status.ACCEPTED,
    Status.DISPATCHED,
    Status.RETURNED,
    Status.HANDLING,
    Status.REPORTED,
    Status.VERIFIED,
]
FINAL_STATUSES = [Status.REJECTED, Status.CLOSED, Status.RATED, Status.MERGED]


class Triage(models.TextChoices):
    """三事分流."""

    BIG = "big", gettext_lazy("大事（政府办理）")
    SMALL = "small", gettext_lazy("小事（村社区办理）")
    PRIVATE = "private", gettext_lazy("私事（群众自理，给予指导）")


class SpotCheck(models.TextChoices):
    """抽查核实 of a self-handled matter drawn for sampling (``Matter.sampled``)."""

    PASSED = "passed", "抽查合格"
    FAILED = "failed", "抽查不合格"


class MatterQuerySet(ScopedQuerySet):
    """Scoped by area, plus everything dispatched to the user's own unit (lead or co-unit)."""

    scope_field = "area_path"

    def visible_to(self, user: Any, action: str = "view") -> Self:
        paths = scope_paths(user, self.model, action)
        if paths is None or f"{settings.ZHILI_ROOT_CODE}/" in paths:
            return self  # the whole tree: a range over every path only misleads the planner
        q = Q(pk__in=[])
        for p in paths:
            q |= path_prefix_q(self.scope_field, p)
        unit_id = getattr(user, "unit_id", None) if user.is_authenticated else None
        if unit_id and action in ("view", "handle"):
            # OR-ing the unit's matters into the area ranges stops the database from walking an
            # index in order (lists scan the table backwards); add them only when there are any.
            lead, co = self._unit_has(unit_id)
            if lead:
                q |= Q(lead_unit_id=unit_id)
            if co:
                q |= Q(pk__in=MatterUnit.objects.filter(unit_id=unit_id).values("matter_id"))
        return self.filter(q)

    def _unit_has(self, unit_id: int) -> tuple[bool, bool]:
        """Does the unit lead any matter, and is it a co-unit of any? (One query, two probes,
        asked once per request.)"""
        memo = request_memo()
        key = ("matters.unit_has", unit_id)
        if memo is not None and key in memo:
            return memo[key]  # type: ignore[no-any-return]
        unit: Any = self.model._meta.get_field("lead_unit").related_model
        rows = (
            unit._base_manager.filter(pk=unit_id)
            .annotate(
                lead=Exists(self.model._base_manager.filter(lead_unit_id=OuterRef("pk"))),
                co=Exists(MatterUnit.objects.filter(unit_id=OuterRef("pk"))),
            )
            .values_list("lead", "co")
            .order_by()[:1]
        )
        found = next(iter(rows), None)
        answer = (bool(found[0]), bool(found[1])) if found else (False, False)
        if memo is not None:
            memo[key] = answer
        return answer

    def open(self) -> Self:
        return self.filter(status__in=OPEN_STATUSES)


class Matter(ChoiceLabels, models.Model):
    number = models.CharField(gettext_lazy("编号"), max_length=20, unique=True)
    title = models.CharField(gettext_lazy("标题"), max_length=120)
    description = models.TextField(gettext_lazy("内容"))
    category = models.ForeignKey(
        Category, verbose_name=gettext_lazy("分类"), on_delete=models.PROTECT
    )
    channel = models.CharField(gettext_lazy("来源渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        gettext_lazy("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    status_before_suspend = models.CharField(max_length=12, blank=True)
    handling_mode = models.CharField(
        gettext_lazy("四事四办"), max_length=12, choices=HandlingMode.choices
    )
    triage = models.CharField(
        gettext_lazy("三事分流"), max_length=8, choices=Triage.choices, blank=True
    )
    triage_reason = models.TextField(gettext_lazy("分流理由"), blank=True)

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=gettext_lazy("所在区域"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = PathField(gettext_lazy("区域路径"))
    district_code = models.CharField(gettext_lazy("区县代码"), max_length=12, db_index=True)
    address = models.CharField(gettext_lazy("地址"), max_length=200, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)

    anonymous = models.BooleanField(gettext_lazy("匿名"), default=False)
    reporter_name = models.CharField(gettext_lazy("反映人"), max_length=64, blank=True)
    reporter_phone = SealedCharField(gettext_lazy("联系电话"), max_length=32, blank=True)
    answers = models.JSONField(gettext_lazy("补充信息"), default=dict, blank=True)

    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=gettext_lazy("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    suggested_unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_matters"
    )
    self_handled = models.BooleanField(gettext_lazy("自行处置"), default=False)
    sampled = models.BooleanField(gettext_lazy("抽查核实"), default=False)
    spot_check = models.CharField(
        gettext_lazy("抽查结果"), max_length=8, choices=SpotCheck.choices, blank=True
    )
    spot_checked_at = models.DateTimeField(gettext_lazy("抽查时间"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(gettext_lazy("受理时间"), db_index=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    first_dispatched_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    contacted_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    suspended_at = models.DateTimeField(null=True, blank=True)

    dispatch_due = models.DateTimeField(null=True, blank=True)
    sign_due = models.DateTimeField(null=True, blank=True)
    contact_due = models.DateTimeField(null=True, blank=True)
    handle_due = models.DateTimeField(gettext_lazy("办结时限"), null=True, blank=True)
    due_at = models.DateTimeField(gettext_lazy("当前环节时限"), null=True, blank=True)
    overdue = models.BooleanField(gettext_lazy("已超期"), default=False)
    warned_for = models.CharField(max_length=40, blank=True)
    supervised_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(gettext_lazy("升级督办层级"), default=0)
    contact_overdue_at = models.DateTimeField(
        gettext_lazy("联系群众超时提醒时间"), null=True, blank=True
    )

    extension_requested_days = models.PositiveSmallIntegerField(default=0)
    extension_reason = models.TextField(blank=True)
    dispatch_count = models.PositiveSmallIntegerField(default=0)
    rework_count = models.PositiveSmallIntegerField(default=0)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    extension_count = models.PositiveSmallIntegerField(default=0)

    solved = models.BooleanField(null=True, blank=True)
    satisfied = models.BooleanField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = MatterQuerySet.as_manager()
    extra_actions = (
        "accept",
        "triage",
        "dispatch",
        "handle",
        "verify",
        "close",
        "rate",
        "reopen",
        "approve",
        "suspend",
        "merge",
        "self_handle",
        "view_personal",
    )

    class Meta:
        verbose_name = gettext_lazy("群众诉求")
        verbose_name_plural = gettext_lazy("群众诉求")
        indexes = [
            models.Index(fields=["area_path", "status", "id"], name="matter_scope_status_idx"),
            models.Index(fields=["area_path", "id"], name="matter_scope_idx"),
            models.Index(fields=["lead_unit", "status", "id"], name="matter_unit_idx"),
            models.Index(fields=["status", "due_at"], name="matter_due_idx"),
            models.Index(fields=["status", "contact_due"], name="matter_contact_due_idx"),
            models.Index(fields=["category", "area_path", "created_at"], name="matter_dup_idx"),
            # The spot-check queue (待抽查): the sampled self-handled matters not yet checked.
            models.Index(
                fields=["area_path", "id"],
                condition=Q(sampled=True, spot_check=""),
                name="matter_spot_queue_idx",
            ),
            # The live count of open matters past their deadline (the statistics' 超期未处置, by
            # area, district, unit, 三事 or 四事): an index-only scan of the open matters alone
            # (PostgreSQL; SQLite keeps the index without the included columns).
            models.Index(
                fields=["due_at"],
                include=["area_path", "district_code", "lead_unit", "triage", "handling_mode"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="matter_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class MatterUnit(models.Model):
    """A co-unit (协办单位) of a matter; the lead unit is on the matter."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="co_units")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    # 首接负责: the co-unit's own part, reported by its staff (``co_report``); the lead closes.
    reported_at = models.DateTimeField("协办反馈时间", null=True, blank=True)
    report = models.TextField("协办反馈", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["matter", "unit"], name="matter_unit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.matter_id}:{self.unit_id}"


class Attachment(models.Model):
    """A photo or file, stored once by content hash."""

    sha256 = models.CharField(max_length=64, unique=True)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    thumbnail = models.FileField(upload_to="thumbnails/%Y/%m/", blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class MatterEvent(Event):
    """One step of a matter's life (core.events.Event: append-only, labelled through the registry).
    Metrics and the timeline are read from these."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="events")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+")

    subject_field: ClassVar[str] = "matter"

    class Meta(Event.Meta):
        verbose_name = gettext_lazy("诉求事件")
        verbose_name_plural = gettext_lazy("诉求事件")
        indexes = [models.Index(fields=["matter", "id"], name="matter_event_idx")]

    def __str__(self) -> str:
        return f"{self.matter_id} {self.action}"


class MatterCounter(models.Model):
    """Per-day sequence for matter numbers (Q + yyyymmdd + 6 digits)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


# Rollups of the measures (metrics.py reads them; rollups.py maintains them) ---------------------


class RollupCounts(models.Model):
    """Additive counters of one rollup row; docs/matters.md "Metrics" defines each one.

    Event counters count on the day the event happened; the ``due*`` counters count on the day the
    matter's handling deadline falls (its 应结 cohort), the ``contact_due*`` counters on the day its
    contact deadline falls (应联系), both moving when the deadline moves; ``repeated`` counts on
    the day the matter was received.
    """

    created = models.IntegerField(gettext_lazy("受理"), default=0)
    accepted = models.IntegerField(gettext_lazy("立案"), default=0)
    rejected = models.IntegerField(gettext_lazy("不予立案"), default=0)
    dispatched = models.IntegerField(gettext_lazy("首次派遣"), default=0)
    redispatched = models.IntegerField(gettext_lazy("二次派遣"), default=0)
    returned = models.IntegerField(gettext_lazy("退单"), default=0)
    signed = models.IntegerField(gettext_lazy("签收"), default=0)
    signed_on_time = models.IntegerField(gettext_lazy("按时签收"), default=0)
    contacted = models.IntegerField(gettext_lazy("首次联系"), default=0)
    contacted_on_time = models.IntegerField(gettext_lazy("按时联系"), default=0)
    verified = models.IntegerField(gettext_lazy("核查"), default=0)
    reworked = models.IntegerField(gettext_lazy("返工"), default=0)
    closed = models.IntegerField(pgettext_lazy("counter", "结案"), default=0)
    extended = models.IntegerField(gettext_lazy("延期"), default=0)
    suspended = models.IntegerField(gettext_lazy("挂起"), default=0)
    self_handled = models.IntegerField(gettext_lazy("自行处置"), default=0)
    rated = models.IntegerField(gettext_lazy("回访"), default=0)
    solved = models.IntegerField(gettext_lazy("已解决"), default=0)
    satisfied = models.IntegerField(gettext_lazy("满意"), default=0)
    reopened = models.IntegerField(gettext_lazy("重新办理"), default=0)
    merged = models.IntegerField(gettext_lazy("并单"), default=0)
    due = models.IntegerField(gettext_lazy("应结"), default=0)
    due_closed = models.IntegerField(gettext_lazy("应结已结"), default=0)
    due_closed_on_time = models.IntegerField(gettext_lazy("应结按期结"), default=0)
    due_suspended = models.IntegerField(gettext_lazy("应结挂起"), default=0)
    due_extended = models.IntegerField(gettext_lazy("应结已延期"), default=0)
    contact_due = models.IntegerField(gettext_lazy("应联系"), default=0)
    contact_due_on_time = models.IntegerField(gettext_lazy("应联系按时联系"), default=0)
    contact_due_suspended = models.IntegerField(gettext_lazy("应联系挂起未联系"), default=0)
    repeated = models.IntegerField(gettext_lazy("重复诉求"), default=0)
    spot_checked = models.IntegerField(gettext_lazy("抽查"), default=0)
    spot_passed = models.IntegerField(gettext_lazy("抽查合格"), default=0)

    class Meta:
        abstract = True


ROLLUP_COUNTERS = tuple(f.name for f in RollupCounts._meta.local_fields)


class MatterAreaDay(RollupCounts):
    """One day × one area (a row for each level of the matter's area: 区县…网格) × category."""

    day = models.DateField()
    area_path = PathField(gettext_lazy("区域路径"))
    depth = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    # The matter's 三事分流 and 四事四办 now (its counts move when they change: rollups.record).
    triage = models.CharField("三事分流", max_length=8, blank=True, default="")
    handling_mode = models.CharField("四事四办", max_length=12, blank=True, default="")

    class Meta:
        verbose_name = gettext_lazy("诉求日统计（区域）")
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "category", "triage", "handling_mode"],
                name="rollup_area_dims_key",
            )
        ]
        indexes = [models.Index(fields=["depth", "area_path", "day"], name="rollup_area_depth_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.category_id}"


class MatterUnitDay(RollupCounts):
    """One day × the lead unit × one area level of the matter × category."""

    day = models.DateField()
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    area_path = PathField(gettext_lazy("区域路径"))
    depth = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    triage = models.CharField("三事分流", max_length=8, blank=True, default="")
    handling_mode = models.CharField("四事四办", max_length=12, blank=True, default="")

    class Meta:
        verbose_name = gettext_lazy("诉求日统计（单位）")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "area_path", "day", "category", "triage", "handling_mode"],
                name="rollup_unit_dims_key",
            )
        ]
        indexes = [models.Index(fields=["depth", "area_path", "day"], name="rollup_unit_depth_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.area_path}"


class MatterDuration(models.Model):
    """A histogram of durations (fixed log-spaced buckets) for medians and P90.

    ``unit_id`` 0 is the all-units row of an area; other values repeat the count per lead unit.
    """

    day = models.DateField()
    area_path = PathField(gettext_lazy("区域路径"))
    depth = models.PositiveSmallIntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    unit_id = models.IntegerField(default=0)
    measure = models.CharField(max_length=8)
    bucket = models.SmallIntegerField()
    n = models.IntegerField(default=0)
    triage = models.CharField("三事分流", max_length=8, blank=True, default="")
    handling_mode = models.CharField("四事四办", max_length=12, blank=True, default="")

    class Meta:
        verbose_name = gettext_lazy("诉求时长分布")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "area_path",
                    "day",
                    "unit_id",
                    "category",
                    "measure",
                    "bucket",
                    "triage",
                    "handling_mode",
                ],
                name="rollup_duration_dims_key",
            )
        ]
        indexes = [
            models.Index(fields=["depth", "area_path", "day"], name="rollup_duration_depth_idx")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.measure}[{self.bucket}]={self.n}"


class MatterAreaAll(RollupCounts):
    """``MatterAreaDay`` summed over categories, 三事 and 四事: one row per day and area level.

    What a view without a category, 三事, 四事 or 五事 filter reads (the dashboard's usual case):
    the city's 30 days by district are 38 × 30 rows here, against one per category and dimension
    in ``MatterAreaDay``. ``rollups.py`` keeps both from the same deltas."""

    day = models.DateField()
    area_path = PathField(gettext_lazy("区域路径"))
    depth = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = gettext_lazy("诉求日统计（区域，全部类别）")
        constraints = [
            models.UniqueConstraint(fields=["area_path", "day"], name="rollup_area_all_key")
        ]
        indexes = [
            models.Index(fields=["depth", "area_path", "day"], name="rollup_area_all_depth_idx")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path}"


class MatterDurationAll(models.Model):
    """``MatterDuration`` summed over categories, 三事 and 四事 (as ``MatterAreaAll`` is)."""

    day = models.DateField()
    area_path = PathField(gettext_lazy("区域路径"))
    depth = models.PositiveSmallIntegerField()
    unit_id = models.IntegerField(default=0)
    measure = models.CharField(max_length=8)
    bucket = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = gettext_lazy("诉求时长分布（全部类别）")
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "day", "unit_id", "measure", "bucket"],
                name="rollup_duration_all_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["depth", "area_path", "measure", "bucket", "day", "n"],
                condition=models.Q(unit_id=0),
                name="rollup_duration_all_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.area_path} {self.measure}[{self.bucket}]={self.n}"


class MatterRollupState(models.Model):
    """What the rollups have counted for one matter, so the next event can count the difference."""

    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    due_day = models.DateField(null=True, blank=True)
    due_unit_id = models.IntegerField(default=0)
    due_closed = models.BooleanField(default=False)
    due_closed_on_time = models.BooleanField(default=False)
    due_suspended = models.BooleanField(default=False)
    due_extended = models.BooleanField(default=False)
    contact_day = models.DateField(null=True, blank=True)
    contact_unit_id = models.IntegerField(default=0)
    contact_on_time = models.BooleanField(default=False)
    contact_suspended = models.BooleanField(default=False)
    contacted = models.BooleanField(default=False)
    repeated = models.BooleanField(default=False)
    suspended_since = models.DateTimeField(null=True, blank=True)
    suspended_seconds = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"rollup state of {self.matter_id}"
