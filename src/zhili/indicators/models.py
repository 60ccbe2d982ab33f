"""Outcome indicators (平安指标, DOMAIN.md §9) as data, their values per area and month with an
append-only revision history, and the sense-of-security survey (群众安全感)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import AppendOnlyModel, AppendOnlyQuerySetMixin
from zhili.core.fields import ChoiceLabels
from zhili.core.scoping import ScopedQuerySet, has_any

# The five-point scale of the survey question and the answers counted as "safe" (assumed default,
# DOMAIN.md §9; an instrument may configure its own).
DEFAULT_SCALE = ["很安全", "安全", "基本安全", "不太安全", "不安全"]
DEFAULT_POSITIVE = ["很安全", "安全", "基本安全"]


class CatalogueQuerySet(ScopedQuerySet):
    """City-wide catalogue rows: visible to whoever holds the action anywhere."""

    def visible_to(self, user: Any, action: str = "view") -> Any:
        return self if has_any(user, self.model, action) else self.none()


class Indicator(models.Model):
    """One outcome indicator. ``components`` lists its parts where it is a sum of counts
    (八类主要刑事案件: 杀人、伤害…); the list is data the city edits."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    unit_label = models.CharField(_("计量单位"), max_length=16, default="起")
    description = models.TextField(_("口径说明"), blank=True)
    components = models.JSONField(_("构成项"), default=list, blank=True)
    higher_is_better = models.BooleanField(_("越高越好"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    seq = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安指标")
        verbose_name_plural = _("平安指标")
        ordering = ["seq", "code"]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """The current value of one indicator for one area and month (revised, never deleted)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区域路径"), max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    components = models.JSONField(_("构成项数值"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    version = models.PositiveIntegerField(_("版本"), default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class QS(ScopedQuerySet):
        scope_field = "area_path"

    objects = QS.as_manager()
    extra_actions = ("import",)

    class Meta:
        verbose_name = _("指标数值")
        verbose_name_plural = _("指标数值")
        ordering = ["indicator__seq", "area_path", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "year", "month"], name="indicator_value_once"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="indicator_value_month"
            ),
        ]
        indexes = [models.Index(fields=["indicator", "year", "area_path"], name="ind_value_idx")]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.area.name} {self.year}-{self.month:02d}"


class RevisionQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet):
    scope_field = "value__area_path"


class IndicatorRevision(AppendOnlyModel):
    """Every version a value has had, in order (append-only: the database refuses changes)."""

    value = models.ForeignKey(IndicatorValue, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField(_("版本"))
    amount = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)
    components = models.JSONField(_("构成项数值"), default=dict, blank=True)
    source = models.CharField(_("来源"), max_length=200)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("指标数值修订记录")
        verbose_name_plural = _("指标数值修订记录")
        ordering = ["value_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["value", "version"], name="indicator_revision_once")
        ]


# Survey -------------------------------------------------------------------------------------------


class SurveyInstrument(models.Model):
    """A survey question with its answer scale and the answers that count as "safe"."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    question = models.TextField(pgettext_lazy("survey", "问题"))
    scale = models.JSONField(_("答案选项"), default=list)
    positive = models.JSONField(_("计入安全感的选项"), default=list)
    confidence = models.DecimalField(
        _("置信水平"), max_digits=4, decimal_places=3, default=0.95, help_text=_("如 0.95")
    )

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("调查问卷")
        verbose_name_plural = _("调查问卷")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class SurveyWave(models.Model):
    """One year's sample of one district (the polling centre's delivery)."""

    instrument = models.ForeignKey(SurveyInstrument, on_delete=models.PROTECT, related_name="waves")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区域路径"), max_length=255, db_index=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    planned = models.PositiveIntegerField(_("计划样本量"), default=0)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class QS(ScopedQuerySet):
        scope_field = "area_path"

    objects = QS.as_manager()
    extra_actions = ("import",)

    class Meta:
        verbose_name = _("调查样本")
        verbose_name_plural = _("调查样本")
        ordering = ["-year", "area_path"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "area", "year"], name="survey_wave_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.area.name}"


class SurveyResponse(models.Model):
    """One answer. ``answer`` outside the scale (拒答、不清楚、空) is kept and counted as invalid."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="responses")
    respondent = models.CharField(_("样本编号"), max_length=40)
    answer = models.CharField(_("回答"), max_length=20, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=10, decimal_places=4, null=True, blank=True)

    class QS(ScopedQuerySet):
        scope_field = "wave__area_path"

    objects = QS.as_manager()

    class Meta:
        verbose_name = _("调查回答")
        verbose_name_plural = _("调查回答")
        constraints = [
            models.UniqueConstraint(fields=["wave", "respondent"], name="survey_response_once")
        ]

    def __str__(self) -> str:
        return f"{self.respondent}: {self.answer or gettext('（空）')}"


class CreationLevel(models.TextChoices):
    STREET = "street", _("平安乡镇（街道）")
    COMMUNITY = "community", _("平安村（社区）")


class CreationSheet(ChoiceLabels, models.Model):
    """The yearly 平安创建 scoring sheet of one level (DOMAIN.md §7): items worth 100 points in all,
    one-strike vetoes and the pass line (90, assumed; configurable). ``items``: [{key, label,
    points, source, full_at, zero_at}] (a rate: full points at ``full_at`` or better, none at
    ``zero_at`` or worse, linear between; ``source`` "yoy_not_up:<indicator>": full points when the
    indicator did not rise on the year before). ``vetoes``: [{key, label, source, above}] (a
    component ``indicator:component`` or an indicator's total above ``above``)."""

    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("层级"), max_length=16, choices=CreationLevel.choices)
    pass_line = models.DecimalField(_("达标线"), max_digits=5, decimal_places=2, default=90)
    items = models.JSONField(_("评分项目"), default=list)
    vetoes = models.JSONField(_("一票否决项"), default=list)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("平安创建评分表")
        verbose_name_plural = _("平安创建评分表")
        constraints = [
            models.UniqueConstraint(fields=["year", "level"], name="creation_sheet_once")
        ]

    def __str__(self) -> str:
        return gettext("%(year)s 年%(label)s评分表") % {
            "year": self.year,
            "label": CreationLevel(self.level).label,
        }
