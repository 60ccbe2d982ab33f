"""Open311 GeoReport v2: the keys that clients post with, and what each post brought along."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Open311Key(models.Model):
    """An ``api_key`` for POST requests. Only its SHA-256 is stored (as org.ApiToken).

    A key with an area may post into and read only that area's subtree.
    """

    name = models.CharField(gettext_lazy("名称"), max_length=64)
    prefix = models.CharField(gettext_lazy("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=gettext_lazy("限定区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(gettext_lazy("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(gettext_lazy("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("Open311 接口密钥")
        verbose_name_plural = gettext_lazy("Open311 接口密钥")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Open311Submission(models.Model):
    """One matter posted through Open311: the key, the token and the client's extra fields.

    ``email`` is personal data: it is kept for staff and never appears in Open311 output.
    """

    matter = models.OneToOneField(
        "matters.Matter", on_delete=models.CASCADE, related_name="open311"
    )
    key = models.ForeignKey(Open311Key, on_delete=models.PROTECT, related_name="submissions")
    token = models.CharField(max_length=40, unique=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    media_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("Open311 提交记录")
        verbose_name_plural = gettext_lazy("Open311 提交记录")

    def __str__(self) -> str:
        return f"{self.token} → {self.matter_id}"
