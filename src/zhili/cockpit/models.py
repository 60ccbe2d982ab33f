"""The cockpit's own data: weekly reports generated in the background, and 雪亮工程 camera
points registered as grid resources (location, owner, coverage, status; no video)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhili.core.fields import ChoiceLabels
from zhili.core.scoping import ScopedQuerySet


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("生成失败")


class WeeklyReport(ChoiceLabels, models.Model):
    """A weekly report of one area: the cockpit's figures for seven days, as a snapshot (``data``)
    and an xlsx file. Its view right is also the right to open the cockpit at that area."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区域路径"), max_length=255, db_index=True)
    start = models.DateField(_("起始日"))
    end = models.DateField(_("截止日"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    data = models.JSONField(_("数据快照"), default=dict, blank=True)
    xlsx = models.BinaryField(_("xlsx 文件"), null=True, blank=True)
    pdf = models.BinaryField(_("PDF 文件"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class QS(ScopedQuerySet):
        scope_field = "area_path"

    objects = QS.as_manager()

    class Meta:
        verbose_name = _("驾驶舱周报")
        verbose_name_plural = _("驾驶舱周报")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.area.name} {self.start:%Y-%m-%d}—{self.end:%Y-%m-%d}"


class CameraStatus(models.TextChoices):
    ONLINE = "online", _("在线")
    OFFLINE = "offline", _("离线")
    FAULT = "fault", _("故障")
    PLANNED = "planned", _("规划中")


class CameraPoint(ChoiceLabels, models.Model):
    """A 雪亮工程 camera point: where it is, who owns it, what it covers. No video."""

    code = models.CharField(_("点位编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=120)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(_("区域路径"), max_length=255, db_index=True)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    owner = models.CharField(_("权属单位"), max_length=120)
    coverage = models.CharField(_("覆盖范围"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=CameraStatus.choices, default=CameraStatus.ONLINE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class QS(ScopedQuerySet):
        scope_field = "area_path"

    objects = QS.as_manager()

    class Meta:
        verbose_name = _("雪亮工程点位")
        verbose_name_plural = _("雪亮工程点位")
        ordering = ["area_path", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
