"""楼栋工作日: visit plans per cadre (buildings, dates), visit records (residents met, demands
raised) and the matter each demand becomes (DOMAIN.md §7, §3 channel 楼栋工作日)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet


class VisitPlanQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class VisitPlan(models.Model):
    """One cadre's plan of building visits in a street or community."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访干部"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("计划名称"), max_length=120)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("走访范围"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VisitPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("走访计划")
        verbose_name_plural = _("走访计划")
        ordering = ["-id"]
        indexes = [models.Index(fields=["area_path", "id"], name="visitplan_scope_idx")]

    def __str__(self) -> str:
        return self.title


class Status(models.TextChoices):
    PLANNED = "planned", _("待走访")
    DONE = "done", _("已走访")
    MISSED = "missed", _("未走访")


class VisitQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Visit(ChoiceLabels, models.Model):
    """One building on one date of a plan; recorded (done) or marked missed."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.PROTECT, related_name="visits")
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访干部"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    building = models.ForeignKey(
        "areas.Area", verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    street_code = models.CharField(_("街道代码"), max_length=12, db_index=True)
    date = models.DateField(_("计划日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    visited_on = models.DateField(_("走访日期"), null=True, blank=True)
    summary = models.TextField(_("现场情况"), blank=True)
    miss_reason = models.CharField(_("未走访原因"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = VisitQuerySet.as_manager()
    extra_actions = ("record", "view_personal")

    class Meta:
        verbose_name = _("楼栋走访")
        verbose_name_plural = _("楼栋走访")
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["area_path", "date"], name="visit_scope_idx"),
            models.Index(fields=["cadre", "date"], name="visit_cadre_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.building.name}"


class Resident(models.Model):
    """A resident met on a visit. Name, phone and room are personal data (core.privacy)."""

    PERSONAL = {"name": "name", "phone": "phone", "room": "address"}

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="residents")
    name = models.CharField(_("姓名"), max_length=64)
    phone = SealedCharField(_("电话"), max_length=32, blank=True)
    room = models.CharField(_("门牌/房号"), max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访群众")
        ordering = ["id"]

    def __str__(self) -> str:
        return gettext("走访群众 #%(pk)s") % {"pk": self.pk}


class Demand(models.Model):
    """A demand raised on a visit; ``matter`` once it has become a matter (one step)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="demands")
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.PROTECT, related_name="demands"
    )
    text = models.TextField(_("诉求内容"))
    category = models.ForeignKey(
        "matters.Category",
        verbose_name=pgettext_lazy("field", "诉求分类"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    matter = models.OneToOneField(
        "matters.Matter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visit_demand",
        verbose_name=_("转办诉求"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("走访诉求")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:30]


class VisitEvent(Event):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="events")

    subject_field: ClassVar[str] = "visit"

    class Meta(Event.Meta):
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
