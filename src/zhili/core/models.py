from __future__ import annotations

from functools import cache
from typing import Any, ClassVar, Self

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import AppendOnlyError as AppendOnlyError  # re-exported
from zhili.core.events import AppendOnlyModel, AppendOnlyQuerySetMixin
from zhili.core.fields import ChoiceLabels, PathField
from zhili.core.scoping import ScopedQuerySet, intersect_paths, paths_q, scope_paths, user_grants


@cache
def audited_types() -> tuple[tuple[str, str], ...]:
    """(object type, the permission that lets a user view it) for every installed model. A model
    may let another model's view right govern its audit events (``audit_view_model = "org.user"``:
    an API token's history is its user's)."""
    out = []
    for model in apps.get_models():
        label = model._meta.label_lower
        out.append((label, f"{getattr(model, 'audit_view_model', label)}.view"))
    return tuple(out)


class AuditEventQuerySet(AppendOnlyQuerySetMixin, ScopedQuerySet):
    scope_field = "area_path"

    def visible_to(self, user: Any, action: str = "view") -> Self:
        """Events the user may read: the audit right over the event's area, and the right to view
        the object's type over that area too (an audit event repeats the object's title and
        notes). One filter: object types are grouped by the paths the user may read them under."""
        audit_paths = scope_paths(user, self.model, action)
        if audit_paths is None:
            return self
        if not audit_paths:
            return self.none()
        grants = user_grants(user)
        groups: dict[tuple[str, ...], list[str]] = {}
        for object_type, perm in audited_types():
            view = [g.path for g in grants if g.allows(perm)]
            both = intersect_paths(audit_paths, view) if view else []
            if both:
                groups.setdefault(tuple(both), []).append(object_type)
        if not groups:
            return self.none()
        q = Q()
        for paths, object_types in groups.items():
            q |= Q(object_type__in=object_types) & paths_q(self.scope_field, paths)
        return self.filter(q)


class AuditEvent(AppendOnlyModel):
    """One change made through a service. Append-only: the database refuses UPDATE and DELETE."""

    at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(gettext_lazy("操作人账号"), max_length=150, blank=True)
    action = models.CharField(gettext_lazy("动作"), max_length=64, db_index=True)
    object_type = models.CharField(gettext_lazy("对象类型"), max_length=64)
    object_id = models.CharField(gettext_lazy("对象编号"), max_length=64)
    object_repr = models.CharField(gettext_lazy("对象"), max_length=255, blank=True)
    area_path = PathField(gettext_lazy("所属区域路径"), blank=True, follows_area=False)
    before = models.JSONField(gettext_lazy("修改前"), null=True, blank=True)
    after = models.JSONField(gettext_lazy("修改后"), null=True, blank=True)
    note = models.TextField(gettext_lazy("说明"), blank=True)
    request_id = models.CharField(gettext_lazy("请求编号"), max_length=64, blank=True)
    ip = models.GenericIPAddressField(gettext_lazy("来源地址"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("审计记录")
        verbose_name_plural = gettext_lazy("审计记录")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            models.Index(fields=["area_path", "id"], name="audit_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    # As a person reads it (core.audit_display): no code reaches a page.
    @property
    def action_label(self) -> str:
        from zhili.core.labels import audit_label

        return audit_label(self.action)

    @property
    def object_type_label(self) -> str:
        from zhili.core.audit_display import object_type_label

        return object_type_label(self.object_type)

    @property
    def before_rows(self) -> list[tuple[str, str]]:
        from zhili.core.audit_display import change_rows

        return change_rows(self.object_type, self.before)

    @property
    def after_rows(self) -> list[tuple[str, str]]:
        from zhili.core.audit_display import change_rows

        return change_rows(self.object_type, self.after)


class LoginFailure(models.Model):
    """A failed login, counted for throttling (by username and by address)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = gettext_lazy("登录失败记录")

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip} {self.at:%Y-%m-%d %H:%M}"


class CalendarDay(models.Model):
    """An administrator's override of the holiday calendar (a holiday or a 调休 working day)."""

    date = models.DateField(gettext_lazy("日期"), unique=True)
    is_workday = models.BooleanField(gettext_lazy("是否工作日"))
    note = models.CharField(gettext_lazy("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = gettext_lazy("节假日调整")
        verbose_name_plural = gettext_lazy("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '放假'} {self.note}"


class Notice(models.Model):
    """An in-app inbox message (deadline warning, overdue, 督办, escalation, ...)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(gettext_lazy("类型"), max_length=32)
    title = models.CharField(gettext_lazy("标题"), max_length=200)
    body = models.TextField(gettext_lazy("内容"), blank=True)
    url = models.CharField(gettext_lazy("链接"), max_length=300, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("站内通知")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "id"], name="notice_inbox_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notice_dedupe",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TunableValue(models.Model):
    """An administrator's value of a business parameter (``core.tunables``); a parameter without
    a row has its shipped default."""

    key = models.CharField(gettext_lazy("参数"), max_length=80, unique=True)
    value = models.JSONField(gettext_lazy("取值"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = gettext_lazy("业务参数")
        verbose_name_plural = gettext_lazy("业务参数")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} = {self.value}"


class IdempotencyKey(models.Model):
    """An intake request sent with an ``Idempotency-Key`` header and the answer it got, so that
    a client retrying after a lost answer gets the same answer instead of a second matter
    (core.idempotency). Written in the request's own transaction: a key is stored exactly when
    its effects are."""

    scope = models.CharField(gettext_lazy("客户端"), max_length=64)
    key = models.CharField(gettext_lazy("幂等键"), max_length=255)
    request_hash = models.CharField(gettext_lazy("请求摘要"), max_length=64)
    status = models.PositiveSmallIntegerField(gettext_lazy("响应状态"), null=True)
    content_type = models.CharField(gettext_lazy("响应类型"), max_length=100, blank=True)
    body = models.TextField(gettext_lazy("响应内容"), blank=True)
    location = models.CharField(gettext_lazy("响应位置"), max_length=500, blank=True)
    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True, db_index=True)

    # Declared: the type checker's Django plugin may run against another checkout's models.
    objects: ClassVar[models.Manager[IdempotencyKey]] = models.Manager()

    class Meta:
        verbose_name = gettext_lazy("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="core_idempotency_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class SchedulerLease(models.Model):
    """Who runs the periodic-task scheduler (core.leader): one row per lease, taken by a conditional
    UPDATE when free or expired and renewed by its holder while it lives."""

    name = models.CharField("名称", max_length=64, primary_key=True)
    holder = models.CharField("持有者", max_length=64)
    expires_at = models.DateTimeField("到期时间")

    objects: ClassVar[models.Manager[SchedulerLease]] = models.Manager()

    class Meta:
        verbose_name = "调度租约"

    def __str__(self) -> str:
        return f"{self.name} → {self.holder}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportJob(ChoiceLabels, models.Model):
    """A large export built in the background (core.exports): the list as filtered on the page
    (``params``), read as the requester sees it, with its progress. Only the requester may see
    it or download the file."""

    kind = models.CharField(_("导出类别"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    params = models.TextField(_("筛选条件"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=16, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已写行数"), default=0)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    file = models.BinaryField(_("文件"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)
    requested_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台导出")
        verbose_name_plural = _("后台导出")
        ordering = ["-id"]
        indexes = [models.Index(fields=["requested_by", "-id"], name="export_job_owner_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        """Progress in 0–100 (a finished job is 100 whatever its count)."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return max(0, min(100, self.done * 100 // self.total))

    @property
    def finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)
