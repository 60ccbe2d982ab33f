"""The risk register (风险台账): entry with person, matter and place; assessment on a matrix stored
as data; ownership; closure and acceptance; hot-spot candidates proposed from matters."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet


class Level(models.TextChoices):
    RED = "red", _("红（重大）")
    ORANGE = "orange", _("橙（较大）")
    YELLOW = "yellow", _("黄（一般）")
    BLUE = "blue", _("蓝（低）")


LEVEL_RANK = {Level.RED: 4, Level.ORANGE: 3, Level.YELLOW: 2, Level.BLUE: 1}
LEVEL_COLOURS = {
    Level.RED: "#d63939",
    Level.ORANGE: "#f76707",
    Level.YELLOW: "#f59f00",
    Level.BLUE: "#4299e1",
}


class Source(models.TextChoices):
    MATTER = "matter", pgettext_lazy("risk source", "群众诉求")
    DISPUTE = "dispute", _("矛盾纠纷")
    WAGE = "wage", pgettext_lazy("risk source", "欠薪预警")
    INSPECTION = "inspection", _("排查巡查")
    MANUAL = "manual", _("人工登记")


class Category(models.TextChoices):
    DISPUTE = "dispute", _("矛盾纠纷类")
    PETITION = "petition", _("信访稳定类")
    LABOUR = "labour", _("劳资欠薪类")
    PROJECT = "project", _("重大项目/决策类")
    SAFETY = "safety", _("公共安全类")
    PUBLIC_ORDER = "public_order", _("社会治安类")
    FINANCE = "finance", _("涉众金融类")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    OPEN = "open", _("管控中")
    CLOSED = "closed", _("已销号")
    ACCEPTED = "accepted", _("已接受（暂不处置）")


class RiskMatrix(models.Model):
    """Likelihood × impact onto levels. Frozen once an assessment uses it: edits make a new matrix."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    likelihood_labels = models.JSONField(_("可能性刻度"), default=list)
    impact_labels = models.JSONField(_("影响程度刻度"), default=list)
    # cells[l-1][i-1] = level value, l = likelihood 1..n, i = impact 1..m
    cells = models.JSONField(_("矩阵"))
    frozen = models.BooleanField(_("已冻结"), default=False)
    is_default = models.BooleanField(_("默认"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("风险矩阵")

    def __str__(self) -> str:
        return self.name

    @property
    def size(self) -> tuple[int, int]:
        return len(self.cells), len(self.cells[0]) if self.cells else 0

    def level_of(self, likelihood: int, impact: int) -> str:
        return str(self.cells[likelihood - 1][impact - 1])


class LevelPolicy(ChoiceLabels, models.Model):
    """Handling limit, review cadence and escalation per level (configurable; shorter for red)."""

    level = models.CharField(_("等级"), max_length=8, choices=Level.choices, unique=True)
    handle_days = models.PositiveIntegerField(_("处置时限（自然日）"))
    review_days = models.PositiveIntegerField(_("复核周期（自然日）"))
    escalate = models.BooleanField(_("自动上报上一级"), default=False)

    class Meta:
        verbose_name = _("分级管控规则")

    def __str__(self) -> str:
        return self.get_level_display()


class RiskQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Risk(ChoiceLabels, models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True)
    title = models.CharField(_("风险名称"), max_length=120)
    description = models.TextField(_("风险事项（见事）"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    matter = models.ForeignKey(
        "matters.Matter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name=_("来源诉求"),
    )
    dispute = models.ForeignKey(
        "disputes.Dispute",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name=_("来源纠纷"),
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("地点（见地点）"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    address = models.CharField(_("详细地址"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    level = models.CharField(_("当前等级"), max_length=8, choices=Level.choices, blank=True)
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人（定人）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位（定责）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handle_due = models.DateField(_("处置时限"), null=True, blank=True)
    next_review = models.DateField(_("下次复核"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("已上报至"),
    )
    final_rating = models.CharField(
        _("销号时等级"), max_length=8, choices=Level.choices, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    acceptance_reason = models.TextField(_("接受理由"), blank=True)
    acceptance_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acceptance_expires = models.DateField(_("接受有效期至"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = RiskQuerySet.as_manager()
    extra_actions = ("assess", "close", "accept", "view_personal")

    class Meta:
        verbose_name = _("风险")
        verbose_name_plural = _("风险")
        indexes = [
            models.Index(fields=["area_path", "status", "id"], name="risk_scope_idx"),
            models.Index(fields=["status", "handle_due"], name="risk_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ElementKind(models.TextChoices):
    PERSON = "person", _("人")
    PLACE = "place", _("地")
    THING = "thing", _("物")
    ORGANISATION = "organisation", _("组织")
    EVENT = "event", _("事件")


class RiskElement(ChoiceLabels, models.Model):
    """风险要素: people, places, things, organisations, events linked to a risk."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(_("类型"), max_length=16, choices=ElementKind.choices)
    name = models.CharField(_("名称/姓名"), max_length=100)
    id_number = SealedCharField(_("身份证号"), max_length=32, blank=True)
    phone = SealedCharField(_("电话"), max_length=32, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("风险要素")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class AssessmentKind(models.TextChoices):
    INHERENT = "inherent", _("固有风险")
    CURRENT = "current", _("当前风险")
    RESIDUAL = "residual", _("残余风险")


class Confidence(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


# 社会稳定风险评估: the four tests of a project or decision risk.
STABILITY_TESTS = {
    "legality": _("合法性"),
    "reasonableness": _("合理性"),
    "feasibility": _("可行性"),
    "controllability": _("可控性"),
}


class Assessment(ChoiceLabels, models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments")
    matrix = models.ForeignKey(RiskMatrix, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("评估类型"), max_length=10, choices=AssessmentKind.choices)
    likelihood = models.PositiveSmallIntegerField(_("可能性"))
    impact = models.PositiveSmallIntegerField(_("影响程度"))
    level = models.CharField(_("等级"), max_length=8, choices=Level.choices)
    # 社会稳定风险评估 four tests (for project/decision risks): {"legality": true, ...}
    stability_tests = models.JSONField(_("四性审查"), default=dict, blank=True)
    confidence = models.CharField(_("评估把握"), max_length=8, choices=Confidence.choices)
    note = models.TextField(_("说明"), blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("风险评估")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_level_display()}"

    @property
    def stability_display(self) -> str:
        """ "合法性：通过；可控性：未通过" (the four tests by name, never by key)."""
        return "；".join(
            gettext("%(test)s：%(result)s")
            % {
                "test": STABILITY_TESTS.get(k, k),
                "result": pgettext("four tests", "通过") if v else pgettext("four tests", "未通过"),
            }
            for k, v in self.stability_tests.items()
        )


class Measure(models.Model):
    """定措施: a measure with its owner and due date."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("措施"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due = models.DateField(_("完成时限"))
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("管控措施")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text


class RiskEvent(Event):
    """One immutable step of a risk's life (the core event, with the evidence files of a closure)."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("风险"), on_delete=models.PROTECT, related_name="events"
    )
    attachments = models.ManyToManyField("matters.Attachment", blank=True, related_name="+")

    subject_field: ClassVar[str] = "risk"

    class Meta(Event.Meta):
        verbose_name = _("风险记录")
        verbose_name_plural = _("风险记录")


class CandidateKind(models.TextChoices):
    RISING_CATEGORY = "rising", _("某类诉求明显上升")
    REPEATED_ADDRESS = "address", _("同一地址反复反映")
    REPEATED_PERSON = "person", _("同一人反复反映")
    DISPUTE_ESCALATION = "dispute", _("纠纷有激化迹象")
    WAGE_WARNING = "wage", _("欠薪红色预警")


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("待研判")
    REGISTERED = "registered", _("已入库")
    DISMISSED = "dismissed", _("已排除")


# The register form's fields a proposing module may fill in for the officer (evidence["prefill"]).
PREFILL_FIELDS = (
    "title",
    "description",
    "category",
    "source",
    "area_code",
    "address",
    "person_name",
    "person_phone",
    "organisation",
    "place",
)


class RiskCandidateQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class RiskCandidate(ChoiceLabels, models.Model):
    """A hot spot found by the scan (or proposed by another module, e.g. a red wage warning),
    waiting for an officer to register or dismiss it.

    ``evidence`` holds the figures; a proposing module may add ``summary`` and ``items`` (what it
    found, in words), ``links`` (label and URL of its own records) and ``prefill`` (fields of the
    register form, so the officer starts from the facts)."""

    kind = models.CharField(_("类型"), max_length=10, choices=CandidateKind.choices)
    key = models.CharField(_("去重键"), max_length=200, unique=True)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    area_path = PathField(_("区域路径"))
    title = models.CharField(_("线索"), max_length=200)
    evidence = models.JSONField(pgettext_lazy("risk", "依据"), default=dict)
    matters = models.ManyToManyField("matters.Matter", blank=True, related_name="+")
    dispute = models.ForeignKey(
        "disputes.Dispute", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    risk = models.ForeignKey(
        Risk, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RiskCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("风险线索")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def evidence_display(self) -> str:
        """What the scan found, in words (``evidence`` holds the numbers, never shown raw)."""
        e = self.evidence or {}
        if self.kind == CandidateKind.RISING_CATEGORY:
            base = e.get("baseline")
            usual = f"{base:.1f}" if isinstance(base, int | float) else "—"
            return gettext(
                "“%(category_name)s”类诉求近 %(window_days)s 天 %(count)s 件，平常约 %(usual)s 件"
            ) % {
                "category_name": e.get("category_name", ""),
                "window_days": e.get("window_days"),
                "count": e.get("count"),
                "usual": usual,
            }
        if self.kind in (CandidateKind.REPEATED_ADDRESS, CandidateKind.REPEATED_PERSON):
            return gettext("%(days)s 天内反映 %(count)s 次（%(value)s）") % {
                "days": e.get("days"),
                "count": e.get("count"),
                "value": e.get("value", ""),
            }
        if self.kind == CandidateKind.DISPUTE_ESCALATION and e.get("amount"):
            return gettext("涉及金额 %(amount)s 元") % {"amount": e["amount"]}
        return "；".join(str(x) for x in [e.get("summary", ""), *e.get("items", [])] if x)


class RiskCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
