"""Target management (打表推进): plans, target tasks, milestones, assignments, reports, scores.

The city office (市委政法委) imports a yearly plan of target tasks and negative-list items; each task is
assigned to responsible units and districts (a district may split its share among its streets); each
assignee reports per milestone with evidence and the office accepts or returns; scores and the
ranking follow from the reports, the scoring rule and the negative-list incidents.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.apps import apps
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core.events import Event, EventQuerySet
from zhili.core.fields import ChoiceLabels, PathField
from zhili.core.scoping import ScopedQuerySet, has_any, path_prefix_q, scope_paths, user_grants

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Method(models.TextChoices):
    """The six governance methods (“六治”), the axis every task belongs to."""

    POLITICAL = "political", _("政治")
    SELF_GOVERNANCE = "self_governance", _("自治")
    RULE_OF_LAW = "rule_of_law", _("法治")
    MORAL = "moral", _("德治")
    SMART = "smart", _("智治")
    COMPREHENSIVE = "comprehensive", _("综治")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    CLOSED = "closed", _("已结束")


class AssignmentKind(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    CO = "co", _("配合单位")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道（乡镇）")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("未报送")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已通过")


class Effect(models.TextChoices):
    DEDUCT = "deduct", _("扣分")
    VETO = "veto", _("一票否决")


class IncidentStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    WITHDRAWN = "withdrawn", pgettext_lazy("target", "已撤销")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("临期提醒")
    OVERDUE = "overdue", _("逾期督办")


# Scoping ------------------------------------------------------------------------------------


class CatalogueQuerySet(ScopedQuerySet):
    """Plans, tasks and negative-list items are city-wide: anyone who may view them somewhere (or
    who reports for a unit) sees them in full; what each unit holds is scoped on the assignments."""

    def visible_to(self, user: Any, action: str = "view") -> Self:
        if has_any(user, self.model, action) or has_any(user, self.model, f"{action}_own"):
            return self
        return self.none()


class PlanQuerySet(CatalogueQuerySet):
    """A plan is read city-wide like the catalogue; any other right on it (change its rule, close
    it) lies over the plan's area, so ``core.scoping.require(user, "change", plan)`` asks that."""

    def visible_to(self, user: Any, action: str = "view") -> Self:
        if action == "view":
            return super().visible_to(user, action)
        return ScopedQuerySet.visible_to(self, user, action)


class AssigneeQuerySet(ScopedQuerySet):
    """Rows that belong to an assignee (a unit, or a district/street).

    Area grants scope by the assignee's area path (a district sees its own rows and its streets').
    A role holding ``<action>_own`` (e.g. ``targets.report.submit_own`` of 责任单位填报员) sees only the
    rows of the user's own unit, even though its grant sits at the city level.
    """

    scope_field = "area_path"
    unit_field = "unit_id"

    def visible_to(self, user: Any, action: str = "view") -> Self:
        paths = scope_paths(user, self.model, action)
        if paths is None:
            return self
        q = Q(pk__in=[])
        for p in paths:
            q |= path_prefix_q(self.scope_field, p)
        unit_id = own_unit_id(user, self.model, action)
        if unit_id is not None:
            q |= Q(**{self.unit_field: unit_id})
        if not paths and unit_id is None:
            return self.none()
        return self.filter(q)


def own_unit_id(user: Any, model: type[models.Model], action: str) -> int | None:
    """The user's unit when one of their grants gives ``<action>_own`` over the unit's area."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or not user.is_authenticated:
        return None
    own = f"{model._meta.app_label}.{model._meta.model_name}.{action}_own"
    paths = [g.path for g in user_grants(user) if g.allows(own)]
    if not paths:
        return None
    home = unit_path(user)
    return int(unit_id) if any(home.startswith(p) for p in paths) else None


def unit_path(user: Any) -> str:
    """The area path of the user's unit (read once per request)."""
    cached = getattr(user, "_zhili_unit_path", None)
    if cached is None:
        unit_model = apps.get_model("org", "Unit")
        cached = unit_model.objects.filter(pk=user.unit_id).values_list("area__path", flat=True)[0]
        setattr(user, "_zhili_unit_path", cached)  # noqa: B010 (cache on the request's user)
    return str(cached)


# Plans and tasks ----------------------------------------------------------------------------


def _share(label: StrOrPromise, default: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )


class Plan(ChoiceLabels, models.Model):
    """One year's assessment plan (考核方案) and its scoring rule (评分规则)."""

    year = models.PositiveSmallIntegerField(_("考核年度"), unique=True)
    title = models.CharField(_("名称"), max_length=200)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("适用区域"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    as_of = models.DateField(
        _("统计基准日"),
        null=True,
        blank=True,
        help_text=_(
            "留空按今天计算；填写后，节点状态、预警和得分都按这一天计算（用于回看往年方案）"
        ),
    )
    note = models.TextField(_("说明"), blank=True)
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    source_sha256 = models.CharField(max_length=64, blank=True)
    # The scoring rule: configurable by the office, every change recomputes every score.
    risk_days = models.PositiveSmallIntegerField(
        _("临期天数"),
        default=10,
        validators=[MaxValueValidator(90)],
        help_text=_("节点到期前这么多天内仍无通过的报告，单元格显示“临期”，并提醒责任单位"),
    )
    share_completion = _share(_("完成度占比"), "0.60")
    share_timeliness = _share(_("及时性占比"), "0.25")
    share_quality = _share(_("审核质量占比"), "0.15")
    return_penalty = models.DecimalField(
        _("每次退回扣减审核质量"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    veto_score = models.DecimalField(
        _("一票否决后得分上限"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    grade_excellent = models.DecimalField(
        _("优秀线"), max_digits=5, decimal_places=2, default=Decimal(90)
    )
    grade_good = models.DecimalField(
        _("良好线"), max_digits=5, decimal_places=2, default=Decimal(80)
    )
    grade_pass = models.DecimalField(
        _("合格线"), max_digits=5, decimal_places=2, default=Decimal(60)
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PlanQuerySet.as_manager()
    extra_actions = ("import", "view_own")

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_completion__gte=0, share_timeliness__gte=0, share_quality__gte=0),
                name="plan_shares_positive",
            ),
            models.CheckConstraint(
                condition=Q(grade_excellent__gte=models.F("grade_good"))
                & Q(grade_good__gte=models.F("grade_pass")),
                name="plan_grades_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clock(self) -> dt.date:
        """The day cell states, warnings and scores are computed for."""
        return self.as_of or timezone.localdate()

    @property
    def is_active(self) -> bool:
        return self.status == PlanStatus.ACTIVE


class Task(ChoiceLabels, models.Model):
    """A target task (目标任务): one row of the 打表 table."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("编号"), max_length=16)
    seq = models.PositiveIntegerField(_("顺序"), default=0)
    title = models.CharField(_("任务名称"), max_length=200)
    requirement = models.TextField(_("工作要求"), blank=True)
    method = models.CharField(_("治理方式"), max_length=20, choices=Method.choices)
    weight = models.DecimalField(
        _("分值"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    deadline = models.DateField(_("完成时限"))

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["plan", "seq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="task_unique_number"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="task_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Milestone(models.Model):
    """A checkpoint of a task (工作节点): due by month, quarter or date, with the evidence it needs."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    seq = models.PositiveSmallIntegerField(_("顺序"))
    label = models.CharField(_("节点"), max_length=32)
    due = models.DateField(_("期限"))
    requirement = models.TextField(_("节点要求"), blank=True)
    evidence = models.TextField(_("佐证材料要求"), blank=True)

    class Meta:
        verbose_name = _("工作节点")
        verbose_name_plural = _("工作节点")
        ordering = ["task", "due", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["task", "seq"], name="milestone_unique_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.label}"

    @property
    def period(self) -> str:
        return f"{self.due:%Y-%m}"


class Assignment(ChoiceLabels, models.Model):
    """A task held by an assignee: a unit (lead or co-unit), a district, or a street's share."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="assignments")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("承担方式"), max_length=16, choices=AssignmentKind.choices)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"), db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属区县任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="shares",
    )
    note = models.CharField(_("分解说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssigneeQuerySet.as_manager()
    extra_actions = ("view_own",)

    class Meta:
        verbose_name = _("任务分解")
        verbose_name_plural = _("任务分解")
        ordering = ["task", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"], condition=Q(unit__isnull=False), name="assign_unit_once"
            ),
            models.UniqueConstraint(
                fields=["task", "area"], condition=Q(unit__isnull=True), name="assign_area_once"
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["lead", "co"]) & Q(unit__isnull=False))
                | (Q(kind__in=["district", "street"]) & Q(unit__isnull=True)),
                name="assign_unit_iff_unit_kind",
            ),
            models.CheckConstraint(
                condition=(Q(kind="street") & Q(parent__isnull=False))
                | (~Q(kind="street") & Q(parent__isnull=True)),
                name="assign_parent_iff_street",
            ),
        ]
        indexes = [models.Index(fields=["plan", "area_path"], name="assign_plan_scope_idx")]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.assignee_name}"

    @property
    def assignee_name(self) -> str:
        return self.unit.name if self.unit_id and self.unit else self.area.name

    @property
    def is_unit(self) -> bool:
        return self.unit_id is not None


# Evidence -----------------------------------------------------------------------------------


class Evidence(models.Model):
    """An evidence file (佐证材料), stored once by its SHA-256 whoever uploads it."""

    sha256 = models.CharField(max_length=64, unique=True)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    original_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(upload_to="targets/evidence/", max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.original_name


# Progress -----------------------------------------------------------------------------------


class Report(ChoiceLabels, models.Model):
    """The progress of one assignee on one milestone: its current state and latest submission.

    Every step is a ``ReportEvent``; this row is the state those events produced (one per cell of
    the table), so the table is read without replaying history.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reports")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    text = models.TextField(_("进展情况"), blank=True)
    first_submitted_at = models.DateTimeField(_("首次报送"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("最近报送"), null=True, blank=True)
    submitted_on = models.DateField(_("报送日（业务日期）"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    returns = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=0)

    objects = AssigneeQuerySet.as_manager()
    extra_actions = ("view_own", "submit", "submit_own", "review")

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "milestone"], name="report_unique"),
        ]
        indexes = [
            models.Index(fields=["plan", "area_path"], name="report_plan_scope_idx"),
            models.Index(fields=["plan", "unit"], name="report_plan_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} · {self.get_status_display()}"


class ReportEventQuerySet(EventQuerySet):
    """The kernel's append-only queryset, declared here so the type checker sees the manager."""


class ReportEvent(Event):
    """One step of a report (reported, returned, accepted): immutable, with its author, its time,
    its business date (``on``: the day it counts for, which a loader of a past season sets) and the
    evidence submitted with it. Labels come from the rules table (``targets.workflow``)."""

    subject_field: ClassVar[str] = "report"

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    on = models.DateField(_("业务日期"))
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="report_events")

    objects: ClassVar[Any] = ReportEventQuerySet.as_manager()

    class Meta(Event.Meta):
        verbose_name = _("进展记录")
        verbose_name_plural = _("进展记录")

    @property
    def attachments(self) -> Any:
        """The evidence, under the name ``Workflow.record(attachments=...)`` sets."""
        return self.evidence


class Reminder(ChoiceLabels, models.Model):
    """A warning sent for a report (due soon, overdue): once per report, kind and due date."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=16, choices=ReminderKind.choices)
    due = models.DateField(_("节点期限"))
    sent_on = models.DateField(_("提醒日"))
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预警提醒")
        verbose_name_plural = _("预警提醒")
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "due"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.report_id}"


# Negative list ------------------------------------------------------------------------------


class NegativeItem(ChoiceLabels, models.Model):
    """A negative-list item (负面清单): when it happens, it deducts points or vetoes the grade."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="negative_items")
    number = models.CharField(_("编号"), max_length=16)
    title = models.CharField(_("名称"), max_length=200)
    trigger = models.TextField(_("触发情形"))
    effect = models.CharField(_("处理方式"), max_length=16, choices=Effect.choices)
    points = models.DecimalField(
        _("扣分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
    )

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("负面清单事项")
        verbose_name_plural = _("负面清单事项")
        ordering = ["plan", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="negative_unique_number"),
            models.CheckConstraint(
                condition=Q(effect="veto") | Q(points__gt=0), name="negative_deduct_has_points"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Incident(ChoiceLabels, models.Model):
    """A negative-list item that happened in a unit or a district, with its evidence."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="incidents")
    item = models.ForeignKey(NegativeItem, on_delete=models.PROTECT, related_name="incidents")
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    occurred_on = models.DateField(_("发生日期"))
    description = models.TextField(_("情况说明"))
    status = models.CharField(
        _("状态"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.ACTIVE
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_reason = models.TextField(_("撤销理由"), blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="incidents")

    objects = AssigneeQuerySet.as_manager()
    extra_actions = ("view_own",)

    class Meta:
        verbose_name = _("负面清单事件")
        verbose_name_plural = _("负面清单事件")
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["plan", "area_path"], name="incident_plan_scope_idx")]

    def __str__(self) -> str:
        return f"{self.item.title} · {self.assignee_name}"

    @property
    def assignee_name(self) -> str:
        return self.unit.name if self.unit_id and self.unit else self.area.name


# Scores -------------------------------------------------------------------------------------


class Score(models.Model):
    """An assignee's score under a plan, with the items that gave and took its points."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("区域路径"))
    name = models.CharField(_("名称"), max_length=120)
    base = models.DecimalField(_("任务得分"), max_digits=6, decimal_places=2)
    deductions = models.DecimalField(_("负面清单扣分"), max_digits=6, decimal_places=2)
    vetoed = models.BooleanField(_("一票否决"), default=False)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=16)
    counted = models.PositiveIntegerField(_("已到期节点数"), default=0)
    explanation = models.JSONField(_("得分说明"), default=list)
    computed_on = models.DateField(_("计算基准日"))
    computed_at = models.DateTimeField(auto_now=True)

    objects = AssigneeQuerySet.as_manager()
    extra_actions = ("view_own",)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["vetoed", "-total", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit"], condition=Q(unit__isnull=False), name="score_unit_once"
            ),
            models.UniqueConstraint(
                fields=["plan", "area"], condition=Q(unit__isnull=True), name="score_area_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.total}"

    @property
    def is_unit(self) -> bool:
        return self.unit_id is not None
