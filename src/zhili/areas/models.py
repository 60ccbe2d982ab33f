"""One tree of areas: city → district → street → community → grid → building, with history."""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from zhili.core.fields import ChoiceLabels, PathField
from zhili.core.i18n import stored
from zhili.core.scoping import ScopedQuerySet


class Level(models.TextChoices):
    CITY = "city", gettext_lazy("市")
    DISTRICT = "district", gettext_lazy("区县")
    STREET = "street", gettext_lazy("乡镇/街道")
    COMMUNITY = "community", gettext_lazy("村/社区")
    GRID = "grid", gettext_lazy("网格")
    BUILDING = "building", gettext_lazy("小区/楼栋")


LEVEL_ORDER = [lv.value for lv in Level]

# An area's kind is data: what the administrative-code source calls it (data/chongqing-2023.csv),
# or its level's name for an area added by hand (services.area_create). The source's kinds are
# marked here so the catalogues carry them; ``Area.kind_label`` shows a kind through them, a
# level's name as the level, and a kind typed by hand as typed.
KNOWN_KINDS = (
    pgettext_lazy("area kind", "直辖市"),
    pgettext_lazy("area kind", "区"),
    pgettext_lazy("area kind", "县"),
    pgettext_lazy("area kind", "自治县"),
    pgettext_lazy("area kind", "街道"),
    pgettext_lazy("area kind", "镇"),
    pgettext_lazy("area kind", "乡"),
    pgettext_lazy("area kind", "社区"),
    pgettext_lazy("area kind", "村"),
)


def level_below(level: str) -> str | None:
    i = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None


class AreaQuerySet(ScopedQuerySet):
    scope_field = "path"

    def current(self) -> Self:
        return self.filter(valid_to__isnull=True)


class Area(ChoiceLabels, models.Model):
    """A node of the tree. Ended areas keep their row (valid_to set) and stay readable by code."""

    code = models.CharField(gettext_lazy("代码"), max_length=32, unique=True)
    name = models.CharField(gettext_lazy("名称"), max_length=100, db_index=True)
    level = models.CharField(gettext_lazy("层级"), max_length=16, choices=Level.choices)
    kind = models.CharField(
        pgettext_lazy("area", "类别"),
        max_length=16,
        blank=True,
        help_text=gettext_lazy("如 街道、镇、乡、社区、村"),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=gettext_lazy("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = PathField(gettext_lazy("路径"), unique=True)
    depth = models.PositiveSmallIntegerField(gettext_lazy("深度"), default=0)
    valid_from = models.DateField(gettext_lazy("生效日期"), null=True, blank=True)
    valid_to = models.DateField(gettext_lazy("撤销日期"), null=True, blank=True, db_index=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=gettext_lazy("承继区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    code_official = models.BooleanField(gettext_lazy("正式代码"), default=True)
    note = models.TextField(gettext_lazy("备注"), blank=True)
    households = models.PositiveIntegerField(gettext_lazy("户数"), null=True, blank=True)
    address = models.CharField(gettext_lazy("地址"), max_length=200, blank=True)
    lat = models.FloatField(gettext_lazy("纬度"), null=True, blank=True)
    lng = models.FloatField(gettext_lazy("经度"), null=True, blank=True)
    geometry = models.JSONField(gettext_lazy("边界(GeoJSON)"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("区域")
        verbose_name_plural = gettext_lazy("区域")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["parent", "code"], name="area_children_idx"),
            models.Index(fields=["level", "valid_to"], name="area_level_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        """The kind in the request's language (``KNOWN_KINDS``, or the level's label when the
        kind is the level's name); a kind typed by hand as typed."""
        if not self.kind:
            return ""
        if self.kind == stored(Level(self.level).label):
            return str(self.get_level_display())
        return pgettext("area kind", self.kind)

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def ancestor_codes(self) -> list[str]:
        return [c for c in self.path.split("/") if c][:-1]


class DivisionChange(models.Model):
    """A 区划变更 document applied to the tree (idempotent by slug)."""

    slug = models.SlugField(gettext_lazy("编号"), max_length=80, unique=True)
    title = models.CharField(gettext_lazy("标题"), max_length=200)
    effective = models.DateField(gettext_lazy("生效日期"))
    source = models.TextField(gettext_lazy("依据"), blank=True)
    digest = models.CharField(gettext_lazy("文件摘要"), max_length=64)
    applied_at = models.DateTimeField(gettext_lazy("应用时间"), auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = gettext_lazy("区划变更")
        verbose_name_plural = gettext_lazy("区划变更")
        ordering = ["-effective", "-id"]

    def __str__(self) -> str:
        return self.title


class ChangeOp(models.TextChoices):
    CREATE = "create", gettext_lazy("新设")
    TRANSFER = "transfer", gettext_lazy("划转")
    MERGE = "merge", gettext_lazy("合并")
    SPLIT = "split", gettext_lazy("拆分")
    RENAME = "rename", gettext_lazy("更名")
    RECODE = "recode", gettext_lazy("代码变更")
    END = "end", pgettext_lazy("area", "撤销")


class AreaChangeQuerySet(ScopedQuerySet):
    scope_field = "area__path"


class AreaChange(ChoiceLabels, models.Model):
    """What one operation of a division change did to one area (the area's own history)."""

    change = models.ForeignKey(DivisionChange, on_delete=models.PROTECT, related_name="operations")
    op = models.CharField(gettext_lazy("操作"), max_length=16, choices=ChangeOp.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="changes")
    before = models.JSONField(gettext_lazy("变更前"), default=dict)
    after = models.JSONField(gettext_lazy("变更后"), default=dict)
    note = models.TextField(gettext_lazy("说明"), blank=True)

    objects = AreaChangeQuerySet.as_manager()
    keeps_history = True  # not re-pointed when its area is merged or recoded

    class Meta:
        verbose_name = gettext_lazy("区划变更记录")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_op_display()} {self.area.name}"


class BoundaryQuerySet(ScopedQuerySet):
    scope_field = "area__path"


class Boundary(models.Model):
    """A district polygon. Demo ones come from a package; operators upload approved ones."""

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="boundaries")
    geometry = models.JSONField(gettext_lazy("边界(GeoJSON geometry, WGS-84)"))
    source = models.CharField(gettext_lazy("来源"), max_length=200)
    approval_no = models.CharField(gettext_lazy("审图号"), max_length=64, blank=True)
    approximate = models.BooleanField(gettext_lazy("近似边界"), default=False)
    active = models.BooleanField(gettext_lazy("当前使用"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BoundaryQuerySet.as_manager()
    keeps_history = True

    class Meta:
        verbose_name = gettext_lazy("边界")
        verbose_name_plural = gettext_lazy("边界")
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=models.Q(active=True), name="one_active_boundary"
            )
        ]

    def __str__(self) -> str:
        return f"{self.area.name} ({self.source})"
