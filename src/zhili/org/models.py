"""Who acts: units, staff users, roles as data, grants over area subtrees, 包片 liaisons, API tokens."""

from __future__ import annotations

import functools
from typing import Any, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy

from zhili.core.fields import ChoiceLabels
from zhili.core.scoping import ScopedQuerySet, has_any


class UnitType(models.TextChoices):
    LEADERSHIP_OFFICE = "office", gettext_lazy("领导小组办公室")
    GOVERNANCE_CENTRE = "centre", gettext_lazy("综治中心")
    DEPARTMENT = "department", gettext_lazy("职能部门")
    STREET_OFFICE = "street_office", gettext_lazy("街道办事处/乡镇政府")
    RESIDENTS_COMMITTEE = "residents_committee", gettext_lazy("居（村）民委员会")
    OWNERS_COMMITTEE = "owners_committee", gettext_lazy("业主委员会")
    PROPERTY_SERVICE = "property_service", gettext_lazy("物业服务中心")
    MEDIATION_COMMITTEE = "mediation_committee", gettext_lazy("人民调解委员会")
    LAW_FIRM = "law_firm", gettext_lazy("律师事务所")
    POLICE_STATION = "police_station", gettext_lazy("派出所")
    COURT = "court", gettext_lazy("人民法院")
    PETITION_OFFICE = "petition_office", gettext_lazy("信访部门")
    OTHER = "other", gettext_lazy("其他")


# 人民调解委员会由委员三至九人组成 (People's Mediation Law, art. 8; DOMAIN.md §6): a committee
# takes no more members than the maximum (org.services), and takes cases only with at least the
# minimum (disputes.services.dispute_assign).
MEDIATION_COMMITTEE_SIZE = (3, 9)


class UnitQuerySet(ScopedQuerySet):
    scope_field = "area__path"


class Unit(ChoiceLabels, models.Model):
    """A responsible unit: department, committee, property service centre, law firm, ..."""

    name = models.CharField(gettext_lazy("名称"), max_length=120)
    type = models.CharField(gettext_lazy("类型"), max_length=32, choices=UnitType.choices)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=gettext_lazy("所属区域"),
        on_delete=models.PROTECT,
        related_name="units",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=gettext_lazy("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    phone = models.CharField(gettext_lazy("联系电话"), max_length=32, blank=True)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("单位")
        verbose_name_plural = gettext_lazy("单位")
        ordering = ["area__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unit_unique_name_per_area")
        ]

    def __str__(self) -> str:
        return self.name


class StaffQuerySet(ScopedQuerySet):
    scope_field = "area__path"


class StaffManager(UserManager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """A staff account. ``area`` is where the person belongs (it scopes who manages the account)."""

    full_name = models.CharField(gettext_lazy("姓名"), max_length=64, blank=True)
    phone = models.CharField(gettext_lazy("手机号"), max_length=32, blank=True)
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=gettext_lazy("所属区域"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=gettext_lazy("所属单位"), null=True, blank=True, on_delete=models.PROTECT
    )

    objects = StaffManager()  # type: ignore[misc]

    class Meta:
        verbose_name = gettext_lazy("用户")
        verbose_name_plural = gettext_lazy("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return f"{self.full_name or self.username}（{self.username}）"

    @property
    def display_name(self) -> str:
        return self.full_name or self.username


class RoleQuerySet(ScopedQuerySet):
    """Roles are city-wide data: visible in full to anyone who may view roles anywhere."""

    def visible_to(self, user, action: str = "view") -> Self:  # type: ignore[no-untyped-def]
        return self if has_any(user, self.model, action) else self.none()


class Role(models.Model):
    """A named set of permissions ``app.model.action`` (``*`` wildcards allowed)."""

    slug = models.SlugField(gettext_lazy("代码"), max_length=64, unique=True)
    name = models.CharField(gettext_lazy("名称"), max_length=64, unique=True)
    description = models.TextField(gettext_lazy("说明"), blank=True)
    permissions = models.JSONField(gettext_lazy("权限"), default=list)

    objects = RoleQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("角色")
        verbose_name_plural = gettext_lazy("角色")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The name to show: a default role the city has not renamed reads in the user's
        language (the label its app declares); one the city renamed or made reads as named."""
        return _declared_text(self.slug, "name", self.name)

    @property
    def description_label(self) -> str:
        return _declared_text(self.slug, "description", self.description)


@functools.cache
def _declared_roles() -> dict[str, dict[str, tuple[str, Any]]]:
    """slug -> {"name"/"description": (the Chinese text stored by default, its lazy label)}."""
    from zhili.org.permissions import default_roles

    out: dict[str, dict[str, tuple[str, Any]]] = {}
    with translation.override("zh-hans"):
        for slug, spec in default_roles().items():
            out[slug] = {k: (str(spec[k]), spec[k]) for k in ("name", "description")}
    return out


def _declared_text(slug: str, key: str, stored: str) -> str:
    chinese, lazy = _declared_roles().get(slug, {}).get(key, ("", None))
    return str(lazy) if lazy is not None and stored == chinese else stored


class RoleGrantQuerySet(ScopedQuerySet):
    scope_field = "area__path"


class RoleGrant(models.Model):
    """User holds Role over Area and everything under it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.ForeignKey(Role, verbose_name=gettext_lazy("角色"), on_delete=models.PROTECT)
    area = models.ForeignKey(
        "areas.Area", verbose_name=gettext_lazy("区域"), on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("授权")
        verbose_name_plural = gettext_lazy("授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user.username} · {self.role.label} · {self.area.name}"


class LiaisonQuerySet(ScopedQuerySet):
    scope_field = "area__path"


class Liaison(models.Model):
    """包片联系: a leader or a unit follows a street."""

    area = models.ForeignKey(
        "areas.Area",
        verbose_name=gettext_lazy("联系街道"),
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    leader = models.ForeignKey(
        User, verbose_name=gettext_lazy("联系领导"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit, verbose_name=gettext_lazy("联系单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    note = models.CharField(gettext_lazy("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LiaisonQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("包片联系")
        verbose_name_plural = gettext_lazy("包片联系")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(leader__isnull=False) | models.Q(unit__isnull=False),
                name="liaison_has_leader_or_unit",
            )
        ]

    def __str__(self) -> str:
        who = self.leader.display_name if self.leader else (self.unit.name if self.unit else "")
        return f"{who} → {self.area.name}"


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is stored."""

    audit_view_model = "org.user"  # who may view the user may read the token's audit events

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(gettext_lazy("名称"), max_length=64, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("接口令牌")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.username})"
