"""Old residential compounds (老旧小区) and their joint meetings: 五方联席会 for compounds without
property management, 三方联动 (residents' committee + owners' committee + property service under
the party organisation), DOMAIN.md §3. A meeting has configurable parties, an agenda, attendees,
decisions, cost sharing (shares sum to the total), follow-up tasks (open → done) and the matters
it resolves."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField
from zhili.core.scoping import ScopedQuerySet


class Coverage(models.TextChoices):
    COMPANY = "company", _("物业公司")
    SELF = "self", _("自治管理")
    NONE = "none", _("无物业服务")


class CompoundQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Compound(ChoiceLabels, models.Model):
    name = models.CharField(_("小区名称"), max_length=120)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所属社区/网格"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    built_year = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数"), null=True, blank=True)
    coverage = models.CharField(_("物业服务"), max_length=10, choices=Coverage.choices)
    property_company = models.CharField(_("物业服务企业"), max_length=120, blank=True)
    has_owners_committee = models.BooleanField(_("已成立业委会"), default=False)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("老旧小区")
        verbose_name_plural = _("老旧小区")
        ordering = ["area_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="compound_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    FIVE_PARTY = "five", _("五方联席会")
    THREE_PARTY = "three", _("三方联动")
    OTHER = "other", _("其他联席会议")


class PartyRole(models.TextChoices):
    PARTY_ORG = "party_org", _("社区党组织")
    STREET = "street", _("街道办事处")
    COMMUNITY = "community", _("社区居委会")
    OWNERS = "owners", _("业主委员会")
    PROPERTY = "property", _("物业服务企业/中心")
    POLICE = "police", _("派出所")
    OWNER_UNIT = "owner_unit", _("产权单位")
    DEPARTMENT = "department", _("职能部门")
    RESIDENTS = "residents", _("居民代表")
    OTHER = "other", _("其他")


class MeetingQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Meeting(ChoiceLabels, models.Model):
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="meetings")
    area_path = PathField(_("区域路径"))
    kind = models.CharField(_("会议类型"), max_length=8, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    topic = models.CharField(_("议题"), max_length=200)
    agenda = models.TextField(_("议程"), blank=True)
    decisions = models.TextField(_("议定事项"))
    total_cost = models.DecimalField(
        _("费用合计（元）"), max_digits=12, decimal_places=2, default=0
    )
    matters = models.ManyToManyField("matters.Matter", blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["area_path", "held_on"], name="meeting_scope_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.topic}"


class Party(ChoiceLabels, models.Model):
    """A party of the meeting and its share of the cost."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(_("参会方"), max_length=12, choices=PartyRole.choices)
    name = models.CharField(_("单位名称"), max_length=120)
    share = models.DecimalField(_("分摊金额（元）"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("参会方")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Attendee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendees")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="attendees")
    name = models.CharField(_("姓名"), max_length=64)
    post = models.CharField(_("职务"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("参会人员")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已完成")


class FollowUpQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class FollowUp(ChoiceLabels, models.Model):
    """A task the meeting decided, with its owner (a party) and due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="followups")
    area_path = PathField(_("区域路径"))
    text = models.CharField(_("任务"), max_length=300)
    owner = models.ForeignKey(
        Party, verbose_name=_("责任方"), on_delete=models.PROTECT, related_name="followups"
    )
    due = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(_("完成情况"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = FollowUpQuerySet.as_manager()
    extra_actions = ("complete",)

    class Meta:
        verbose_name = _("会议任务")
        verbose_name_plural = _("会议任务")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text


class FollowUpEvent(Event):
    followup = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="events")

    subject_field: ClassVar[str] = "followup"

    class Meta(Event.Meta):
        verbose_name = _("会议任务记录")
        verbose_name_plural = _("会议任务记录")
