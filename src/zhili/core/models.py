from django.conf import settings
from django.db import models

from zhili.core.fields import PathField
from zhili.core.scoping import ScopedQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(ScopedQuerySet):
    scope_field = "area_path"

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("审计记录只能追加，不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除")


class AuditEvent(models.Model):
    """One change made through a service. Append-only: the database refuses UPDATE and DELETE."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64, db_index=True)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=255, blank=True)
    area_path = PathField("所属区域路径", blank=True, follows_area=False)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "id"], name="audit_object_idx"),
            models.Index(fields=["area_path", "id"], name="audit_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除")


class LoginFailure(models.Model):
    """A failed login, counted for throttling (by username and by address)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = "登录失败记录"

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip} {self.at:%Y-%m-%d %H:%M}"
