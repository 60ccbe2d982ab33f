"""Village and community self-governance (DOMAIN.md §7): 四议两公开 records (``Deliberation``,
one ``Step`` per meeting or publicity) and 一事一议 projects (``Project``, household
``Contribution`` rows and a ``LedgerEntry`` book). Steps, contributions and ledger entries are
append-only: a wrong entry is corrected by a new one, never edited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import AppendOnlyModel, AppendOnlyQuerySetMixin, Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet


class Status(models.TextChoices):
    """Where a 四议两公开 record stands: the step it waits for."""

    PROPOSAL = "proposal", _("待党组织提议")
    COMMITTEES = "committees", _("待两委会商议")
    PARTY = "party", _("待党员大会审议")
    DECISION = "decision", _("待村（居）民会议决议")
    RESOLUTION = "resolution", _("待决议公开")
    IMPLEMENTING = "implementing", _("实施中（待结果公开）")
    DONE = "done", _("已完成")
    WITHDRAWN = "withdrawn", _("已终止")


OPEN_STATUSES = (
    Status.PROPOSAL,
    Status.COMMITTEES,
    Status.PARTY,
    Status.DECISION,
    Status.RESOLUTION,
    Status.IMPLEMENTING,
)


class Stage(models.TextChoices):
    """The six steps of 四议两公开 (the first two may be one)."""

    PROPOSAL = "proposal", _("党组织提议")
    COMMITTEES = "committees", _("两委会商议")
    MERGED = "merged", _("党组织提议并两委会商议（一肩挑）")
    PARTY = "party", _("党员大会审议")
    DECISION = "decision", _("村（居）民会议或代表会议决议")
    RESOLUTION = "resolution", _("决议公开")
    RESULT = "result", _("实施结果公开")


class Assembly(models.TextChoices):
    VILLAGERS = "villagers", _("村（居）民会议")
    REPRESENTATIVES = "representatives", _("村（居）民代表会议")


class AreaScoped(ScopedQuerySet):
    scope_field = "area_path"


class Deliberation(ChoiceLabels, models.Model):
    """A major village or community matter decided by 四议两公开."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("事项名称"), max_length=200)
    content = models.TextField(_("事项内容"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    merged_posts = models.BooleanField(
        _("书记、主任一肩挑"),
        default=False,
        help_text=_("党组织书记兼任村（居）委会主任时，提议和商议可以合并为一步"),
    )
    review_before = models.CharField(
        _("须经法律顾问审查后方可进行"),
        max_length=16,
        choices=Stage.choices,
        blank=True,
        help_text=_("留空表示不需要法律审查"),
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSAL
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()
    extra_actions = ("record", "witness")

    class Meta:
        verbose_name = _("四议两公开事项")
        verbose_name_plural = _("四议两公开事项")
        indexes = [models.Index(fields=["area_path", "status", "id"], name="delib_scope_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class StepQuerySet(AppendOnlyQuerySetMixin, models.QuerySet):
    """Read through the record's scope (``selectors``) or, published, by the public page."""


class Step(ChoiceLabels, AppendOnlyModel):
    """One step as it was held: date, due and present, votes, signatures, text; for a publicity,
    its window. Written once, when the step passes."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="steps", verbose_name=_("事项")
    )
    area_path = PathField(_("区域路径"))
    stage = models.CharField(_("步骤"), max_length=16, choices=Stage.choices)
    assembly = models.CharField(_("会议形式"), max_length=16, choices=Assembly.choices, blank=True)
    held_on = models.DateField(_("日期"))
    due = models.PositiveIntegerField(_("应到人数"), default=0)
    present = models.PositiveIntegerField(_("实到人数"), default=0)
    households_due = models.PositiveIntegerField(_("总户数"), default=0)
    households_present = models.PositiveIntegerField(_("到会户数"), default=0)
    votes_for = models.PositiveIntegerField(_("赞成"), default=0)
    votes_against = models.PositiveIntegerField(_("反对"), default=0)
    abstain = models.PositiveIntegerField(_("弃权"), default=0)
    text = models.TextField(_("内容（会议记录、决议或公开内容）"))
    signatures = models.FileField(
        _("签字材料扫描件"), upload_to="deliberation/signatures/", max_length=200, blank=True
    )
    signatures_name = models.CharField(_("签字材料文件名"), max_length=200, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("乡镇（街道）见证人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_from = models.DateField(_("公开起始日"), null=True, blank=True)
    public_until = models.DateField(_("公开截止日"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = StepQuerySet.as_manager()

    class Meta:
        verbose_name = _("四议两公开步骤")
        verbose_name_plural = _("四议两公开步骤")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["stage", "public_until"], name="delib_step_public_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation_id} {self.get_stage_display()}"


class DeliberationEvent(Event):
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="events", verbose_name=_("事项")
    )
    subject_field: ClassVar[str] = "deliberation"

    class Meta(Event.Meta):
        verbose_name = _("四议两公开记录")
        verbose_name_plural = _("四议两公开记录")


class DeliberationCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


# 一事一议 -------------------------------------------------------------------------------------


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("已提议（待公告）")
    NOTICED = "noticed", _("已公告（待入户征求意见）")
    CANVASSED = "canvassed", _("已征求意见（待表决）")
    VOTED = "voted", _("已表决（待乡镇审核）")
    SUBMITTED = "submitted", _("乡镇已审核（待县级批复）")
    APPROVED = "approved", _("县级已批复（筹资筹劳中）")
    REJECTED = "rejected", _("未获批准")
    DONE = "done", _("已完成")


class Proposer(models.TextChoices):
    COMMITTEE = "committee", _("村民委员会提议")
    VILLAGERS = "villagers", _("十分之一以上村民联名")
    REPRESENTATIVES = "representatives", _("五分之一以上村民代表联名")


class Purpose(models.TextChoices):
    ROAD = "road", _("村内道路")
    WATER = "water", _("饮水")
    IRRIGATION = "irrigation", _("小型农田水利")
    TREES = "trees", _("植树造林")
    SANITATION = "sanitation", _("环境卫生")
    OTHER = "other", _("其他公益事业")


class Cap(models.Model):
    """The per-person, per-year cap of 一事一议 contributions set by the province: data the city
    edits (``services.cap_set``). A row without an area applies city-wide, without a year every
    year; the most specific row (deepest area, then a year over none) applies. The shipped
    default is an assumption (docs/deliberation.md)."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("适用区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area_path = PathField(_("区域路径"), blank=True)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    money = models.DecimalField(_("每人每年筹资上限（元）"), max_digits=8, decimal_places=2)
    labour_days = models.DecimalField(_("每人每年筹劳上限（工日）"), max_digits=5, decimal_places=1)
    note = models.CharField(pgettext_lazy("deliberation", "依据"), max_length=200, blank=True)

    audit_view_model = "deliberation.project"  # who may read its audit records

    class Meta:
        verbose_name = _("一事一议筹资筹劳上限")
        verbose_name_plural = _("一事一议筹资筹劳上限")
        constraints = [
            models.UniqueConstraint(fields=["area_path", "year"], name="delib_cap_once"),
            models.CheckConstraint(
                condition=Q(money__gte=0, labour_days__gte=0), name="delib_cap_positive"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(year)s %(money)s 元/%(labour_days)s 工日") % {
            "year": self.year or "",
            "money": self.money,
            "labour_days": self.labour_days,
        }


class Project(ChoiceLabels, models.Model):
    """一事一议: a public work the villagers finance by money or labour."""

    number = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("项目名称"), max_length=200)
    purpose = models.CharField(_("类别"), max_length=16, choices=Purpose.choices)
    description = models.TextField(_("建设内容"))
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    year = models.PositiveSmallIntegerField(_("年度"))
    proposer = models.CharField(_("提议方式"), max_length=16, choices=Proposer.choices)
    signers = models.PositiveIntegerField(_("联名人数"), default=0)
    villagers = models.PositiveIntegerField(_("村民总数（人）"))
    representatives = models.PositiveIntegerField(_("村民代表总数"), default=0)
    budget = models.DecimalField(_("项目预算（元）"), max_digits=14, decimal_places=2)
    money_per_person = models.DecimalField(
        _("每人筹资（元）"), max_digits=8, decimal_places=2, default=Decimal(0)
    )
    labour_per_person = models.DecimalField(
        _("每人筹劳（工日）"), max_digits=5, decimal_places=1, default=Decimal(0)
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED
    )
    notice_from = models.DateField(_("公告起始日"), null=True, blank=True)
    notice_until = models.DateField(_("公告截止日"), null=True, blank=True)
    households = models.PositiveIntegerField(_("总户数"), default=0)
    households_canvassed = models.PositiveIntegerField(_("入户征求户数"), default=0)
    households_agree = models.PositiveIntegerField(_("同意户数"), default=0)
    submitted_at = models.DateTimeField(_("报县时间"), null=True, blank=True)
    reply_due = models.DateTimeField(_("县级批复期限"), null=True, blank=True)
    replied_at = models.DateTimeField(_("县级批复时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()
    extra_actions = ("record", "review", "reply", "view_personal")

    class Meta:
        verbose_name = _("一事一议项目")
        verbose_name_plural = _("一事一议项目")
        indexes = [models.Index(fields=["area_path", "status", "id"], name="delib_project_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProjectEvent(Event):
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=pgettext_lazy("deliberation", "项目"),
    )
    subject_field: ClassVar[str] = "project"

    class Meta(Event.Meta):
        verbose_name = _("一事一议记录")
        verbose_name_plural = _("一事一议记录")


class BookQuerySet(AppendOnlyQuerySetMixin, models.QuerySet):
    """Read through the project's scope (``selectors``)."""


class Contribution(AppendOnlyModel):
    """One household's share: money, labour days, or an exemption (with its reason)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="contributions",
        verbose_name=pgettext_lazy("deliberation", "项目"),
    )
    area_path = PathField(_("区域路径"))
    household = models.CharField(_("户主姓名"), max_length=50)
    phone = SealedCharField(_("联系电话"), max_length=32, blank=True)
    persons = models.PositiveSmallIntegerField(_("应筹人数"))
    money = models.DecimalField(_("筹资（元）"), max_digits=10, decimal_places=2, default=0)
    labour_days = models.DecimalField(_("筹劳（工日）"), max_digits=6, decimal_places=1, default=0)
    exempt_reason = models.CharField(_("减免原因"), max_length=100, blank=True)
    on = models.DateField(_("日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        verbose_name = _("筹资筹劳")
        verbose_name_plural = _("筹资筹劳")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(money__gte=0, labour_days__gte=0), name="delib_contrib_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.household}"

    @property
    def exempt(self) -> bool:
        return bool(self.exempt_reason)


class LedgerKind(models.TextChoices):
    GRANT = "grant", _("财政奖补收入")
    OTHER_IN = "other_in", _("其他收入")
    SPENT = "spent", _("支出")
    CORRECTION = "correction", _("冲正")


class LedgerEntry(ChoiceLabels, AppendOnlyModel):
    """One line of the project's book besides the households' money (which is counted from the
    contributions): grants received, spending, corrections (signed amounts)."""

    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        related_name="ledger",
        verbose_name=pgettext_lazy("deliberation", "项目"),
    )
    area_path = PathField(_("区域路径"))
    kind = models.CharField(_("类别"), max_length=16, choices=LedgerKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    on = models.DateField(_("日期"))
    note = models.CharField(_("摘要"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = BookQuerySet.as_manager()

    class Meta:
        verbose_name = _("一事一议收支")
        verbose_name_plural = _("一事一议收支")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.get_kind_display()} {self.amount}"


class ProjectCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def cap_for(project: Any) -> Cap | None:
    """The cap of the project's year at the most specific area at or above its village."""
    from zhili.core.scoping import ancestor_paths

    return (
        Cap.objects.filter(
            Q(year=project.year) | Q(year__isnull=True),
            area_path__in=["", *ancestor_paths(project.area_path)],
        )
        .order_by("-area_path", models.F("year").desc(nulls_last=True))
        .first()
    )
