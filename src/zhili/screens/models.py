"""Notice and service-supervision screens (公示屏): a community service centre, the kiosk devices
that show its screen (a token, hashed at rest, revocable), its notices and its duty roster."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhili.core.scoping import ScopedQuerySet


class AreaScoped(ScopedQuerySet):
    scope_field = "area_path"


class ServiceCentre(models.Model):
    """A community (or street) service centre: where a screen hangs, and its complaint line."""

    area = models.OneToOneField("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区域路径"), max_length=255, db_index=True)
    name = models.CharField(_("名称"), max_length=120)
    complaint_line = models.CharField(_("监督投诉电话"), max_length=40)
    hours = models.CharField(_("办公时间"), max_length=120, blank=True)
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


class DutyQuerySet(ScopedQuerySet):
    scope_field = "centre__area_path"


class DutyShift(models.Model):
    """Who is on duty at the centre on a day (published on the screen by name and post only)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="duties")
    day = models.DateField(_("日期"))
    person = models.CharField(_("值班人员"), max_length=40)
    post = models.CharField(_("岗位"), max_length=60)

    objects = DutyQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["day", "post", "person"]

    def __str__(self) -> str:
        return f"{self.day} {self.post} {self.person}"
