"""Notice and service-supervision screens (公示屏): a community service centre, the kiosk devices
that show its screen (a token, hashed at rest, revocable), its notices, its staff and duty roster,
and residents' ratings of the staff who served them (服务评价)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhili.core.events import AppendOnlyModel, AppendOnlyQuerySetMixin
from zhili.core.fields import ChoiceLabels
from zhili.core.scoping import ScopedQuerySet

# Letters and digits a resident can type from the screen (no 0/o, 1/l/i).
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_rating_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


class AreaScoped(ScopedQuerySet):
    scope_field = "area_path"


class ServiceCentre(models.Model):
    """A community (or street) service centre: where a screen hangs, and its complaint line."""

    area = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区域路径"), max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=120)
    complaint_line = models.CharField(_("监督投诉电话"), max_length=40)
    hours = models.CharField(_("办公时间"), max_length=120, blank=True)
    # The public rating page's address (/screens/rate/<code>/, shown as a QR code on the screen):
    # random, so the centres cannot be walked by number.
    rating_code = models.CharField(_("评价码"), max_length=16, unique=True, default=new_rating_code)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AreaScoped.as_manager()

    class Meta:
        verbose_name = _("便民服务中心")
        verbose_name_plural = _("便民服务中心")
        ordering = ["area_path"]

    def __str__(self) -> str:
        return self.name


class DeviceQuerySet(ScopedQuerySet):
    scope_field = "centre__area_path"


class ScreenDevice(models.Model):
    """A kiosk (a TV's browser). Only the SHA-256 of its token is stored."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(_("设备名称"), max_length=80)
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    token_prefix = models.CharField(_("令牌前缀"), max_length=8)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("最近访问"), null=True, blank=True)

    objects = DeviceQuerySet.as_manager()
    extra_actions = ("revoke",)

    class Meta:
        verbose_name = _("公示屏设备")
        verbose_name_plural = _("公示屏设备")
        ordering = ["centre_id", "name"]

    def __str__(self) -> str:
        return f"{self.centre.name} · {self.name}"


class NoticeQuerySet(ScopedQuerySet):
    scope_field = "centre__area_path"


class Notice(models.Model):
    """A service-centre notice. Shown on the screen while published and within its dates."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="notices")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    published = models.BooleanField(_("已发布"), default=False)
    show_from = models.DateField(_("展示开始"))
    show_until = models.DateField(_("展示结束"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-show_from", "-id"]

    def __str__(self) -> str:
        return self.title


class StaffQuerySet(ScopedQuerySet):
    scope_field = "centre__area_path"


class CentreStaff(models.Model):
    """A person who serves residents at the centre: the stable record duty shifts and ratings
    attach to. ``name`` is what the screen and the rating page publish (names of staff on duty
    are public by design); ``user`` links the platform account when the person has one."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="staff")
    name = models.CharField(_("姓名"), max_length=40)
    post = models.CharField(_("岗位"), max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("平台账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务人员")
        verbose_name_plural = _("服务人员")
        ordering = ["centre_id", "-active", "name"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "name"], name="screens_staff_name_once"),
            models.UniqueConstraint(
                fields=["centre", "user"],
                condition=models.Q(user__isnull=False),
                name="screens_staff_account_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DutyQuerySet(ScopedQuerySet):
    scope_field = "centre__area_path"


class DutyShift(models.Model):
    """Who is on duty at the centre on a day (published on the screen by name and post only).
    ``person`` keeps the name as published that day; ``staff`` is the record it rates."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="duties")
    day = models.DateField(_("日期"))
    staff = models.ForeignKey(
        CentreStaff,
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shifts",
    )
    person = models.CharField(_("值班人员"), max_length=40)
    post = models.CharField(_("岗位"), max_length=60)

    objects = DutyQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["day", "post", "person"]

    def __str__(self) -> str:
        return f"{self.day} {self.post} {self.person}"


class Satisfaction(models.IntegerChoices):
    """The five answers of a service rating (政务服务"好差评"的五级评价)."""

    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    FAIRLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


# The answers that count towards the satisfaction rate (满意率).
SATISFIED_FROM = Satisfaction.FAIRLY_SATISFIED


class RatingQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet):
    scope_field = "centre__area_path"


class StaffRating(ChoiceLabels, AppendOnlyModel):
    """One resident's rating of a staff member (anonymous: nothing about the rater is kept).
    Append-only: the database refuses changes; the comment is for the centre, never the screen."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        CentreStaff, verbose_name=_("服务人员"), on_delete=models.PROTECT, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField(_("评价"), choices=Satisfaction.choices)
    comment = models.CharField(_("意见建议"), max_length=200, blank=True)
    at = models.DateTimeField(_("评价时间"))

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["staff", "at"], name="screens_rating_staff_at"),
            models.Index(fields=["centre", "at"], name="screens_rating_centre_at"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="screens_rating_score_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff.name} {self.get_score_display()}"
