"""一村（社区）一法律顾问 and 法律诊所 (DOMAIN.md §7): advisers and the villages and communities
each covers, the duty schedule, the consultations log (hours and visits against the yearly
target) and the legal review of major matters (a 四议两公开 step may wait for it)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet


class AreaScoped(ScopedQuerySet):
    scope_field = "area_path"


class Adviser(models.Model):
    """A lawyer serving as legal adviser (法律顾问); registered under a street or district."""

    name = models.CharField(_("姓名"), max_length=50)
    firm = models.CharField(_("执业机构"), max_length=100)
    license_no = models.CharField(_("执业证号"), max_length=32, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_adviser",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("登记区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    active = models.BooleanField(_("在聘"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()

    class Meta:
        verbose_name = _("法律顾问")
        verbose_name_plural = _("法律顾问")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.firm}）"


class Coverage(models.Model):
    """An adviser serves a village or community (one adviser may serve several)."""

    adviser = models.ForeignKey(
        Adviser, on_delete=models.PROTECT, related_name="coverages", verbose_name=_("法律顾问")
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)

    objects = AreaScoped.as_manager()

    class Meta:
        verbose_name = _("法律顾问服务村（社区）")
        verbose_name_plural = _("法律顾问服务村（社区）")
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(until__isnull=True), name="legal_one_adviser_per_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adviser_id} → {self.area_id}"


class Duty(models.Model):
    """A duty slot (值班) of an adviser in a village or community."""

    adviser = models.ForeignKey(
        Adviser, on_delete=models.PROTECT, related_name="duties", verbose_name=_("法律顾问")
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    on = models.DateField(_("日期"))
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    place = models.CharField(_("地点"), max_length=100, blank=True)

    objects = AreaScoped.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["on", "start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="legal_duty_order")
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.start}-{self.end}"


class ServiceKind(models.TextChoices):
    CONSULTATION = "consultation", _("法律咨询")
    VISIT = "visit", _("到村（社区）坐班")
    LECTURE = "lecture", _("法治讲座")
    MEDIATION = "mediation", _("参与调解")
    REVIEW = "review", _("审查把关")
    DOCUMENT = "document", _("代写法律文书")


class Consultation(ChoiceLabels, models.Model):
    """One service (a consultation, an on-site visit, a lecture…): minutes count toward the
    yearly hours; a ``visit`` (or any service on site) counts as the month's visit."""

    adviser = models.ForeignKey(
        Adviser, on_delete=models.PROTECT, related_name="consultations", verbose_name=_("法律顾问")
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    kind = models.CharField(_("服务类型"), max_length=16, choices=ServiceKind.choices)
    on = models.DateField(_("日期"))
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    on_site = models.BooleanField(_("在村（社区）现场"), default=True)
    topic = models.CharField(_("事由"), max_length=200)
    person = models.CharField(_("咨询人"), max_length=50, blank=True)
    phone = SealedCharField(_("联系电话"), max_length=32, blank=True)
    answer = models.TextField(_("解答意见"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()
    extra_actions = ("view_personal",)

    class Meta:
        verbose_name = _("法律服务记录")
        verbose_name_plural = _("法律服务记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["area_path", "on"], name="legal_consult_scope_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="legal_minutes_positive")
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.topic}"


class Target(models.Model):
    """The yearly service target (沙坪坝's: ≥ 50 hours a year, ≥ one visit a month), as data."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    hours = models.PositiveSmallIntegerField(_("每村（社区）每年服务时长（小时）"), default=50)
    visits_per_month = models.PositiveSmallIntegerField(_("每月到村（社区）次数"), default=1)

    audit_view_model = "legal.coverage"  # who may read its audit records

    class Meta:
        verbose_name = _("法律顾问服务目标")
        verbose_name_plural = _("法律顾问服务目标")

    def __str__(self) -> str:
        return gettext("%(year)s: %(hours)s h, %(visits_per_month)s/月") % {
            "year": self.year,
            "hours": self.hours,
            "visits_per_month": self.visits_per_month,
        }


class ReviewStatus(models.TextChoices):
    REQUESTED = "requested", _("待审查")
    APPROVED = "approved", _("审查通过")
    OBJECTED = "objected", _("提出修改意见")


def subject_of(subject: Any) -> dict[str, Any]:
    """The fields that name a review's subject (a 四议两公开 record, by reference)."""
    return {"subject_type": subject._meta.label_lower, "subject_id": subject.pk}


class Review(ChoiceLabels, models.Model):
    """The adviser's legal review of a major matter (a 四议两公开 record, by reference: legal
    does not import the modules that ask for reviews)."""

    subject_type = models.CharField(_("事项类型"), max_length=64)
    subject_id = models.PositiveIntegerField(_("事项"))
    subject_title = models.CharField(_("事项名称"), max_length=200)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    adviser = models.ForeignKey(
        Adviser, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("法律顾问")
    )
    question = models.TextField(_("送审内容"))
    opinion = models.TextField(_("审查意见"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.REQUESTED
    )
    version = models.PositiveIntegerField(default=1)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = AreaScoped.as_manager()
    extra_actions = ("request", "decide")

    class Meta:
        verbose_name = _("法律审查")
        verbose_name_plural = _("法律审查")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="legal_review_subject_idx")
        ]

    def __str__(self) -> str:
        return f"{self.subject_title} · {self.get_status_display()}"


class ReviewEvent(Event):
    review = models.ForeignKey(
        Review, on_delete=models.PROTECT, related_name="events", verbose_name=_("法律审查")
    )
    subject_field: ClassVar[str] = "review"

    class Meta(Event.Meta):
        verbose_name = _("法律审查记录")
        verbose_name_plural = _("法律审查记录")
