"""Wage arrears of migrant workers (根治欠薪, DOMAIN.md §8; 保障农民工工资支付条例 2020).

The facts: construction projects in the area tree with their firms, dedicated wage account
(Art. 26), wage deposit (Art. 32) and rights notice board (Art. 34); the real-name roster and
monthly attendance (Art. 6, 28); monthly pay tables (Art. 31), the bank's payment records and the
builder's labour-cost deposits into the account (Art. 24, 29). The checks: rules as data
(``WageRule``), the local minimum wage as data (``MinimumWage``), and the warnings they raise.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet, has_any


class CityWideQuerySet(ScopedQuerySet):
    """City-wide reference data (firms, rules, the blacklist): visible in full to anyone who may
    view it anywhere."""

    def visible_to(self, user: Any, action: str = "view") -> Self:
        return self if has_any(user, self.model, action) else self.none()


class Firm(models.Model):
    """A builder (建设单位), general contractor (施工总承包单位) or subcontractor (分包单位)."""

    name = models.CharField(_("单位名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    BUILDING = "building", _("在建")
    COMPLETED = "completed", _("已完工")


class ProjectQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Project(ChoiceLabels, models.Model):
    number = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=120)
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    address = models.CharField(_("项目地址"), max_length=200)
    builder = models.ForeignKey(
        Firm, verbose_name=_("建设单位"), on_delete=models.PROTECT, related_name="+"
    )
    contractor = models.ForeignKey(
        Firm, verbose_name=_("施工总承包单位"), on_delete=models.PROTECT, related_name="+"
    )
    subcontractors = models.ManyToManyField(
        Firm, verbose_name=_("分包单位"), blank=True, related_name="+"
    )
    contract_value = models.DecimalField(_("合同价款（元）"), max_digits=14, decimal_places=2)
    labour_share = models.DecimalField(_("人工费用占比（%）"), max_digits=5, decimal_places=2)
    start_on = models.DateField(_("开工日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.BUILDING
    )
    labour_manager = models.CharField(_("劳资专管员"), max_length=40)
    labour_manager_phone = models.CharField(_("劳资专管员电话"), max_length=20)
    notice_board = models.ForeignKey(
        "matters.Attachment",
        verbose_name=_("维权信息告示牌照片"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProjectQuerySet.as_manager()
    extra_actions = ("import", "view_personal")
    personal_fields: ClassVar[dict[str, str]] = {"labour_manager_phone": "phone"}

    class Meta:
        verbose_name = _("在建项目")
        verbose_name_plural = _("在建项目")
        indexes = [models.Index(fields=["area_path", "status", "id"], name="wage_project_scope")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Progress(models.Model):
    """Cumulative progress of a project at the end of a month (形象进度)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress")
    month = models.DateField(_("月份"))  # the first day of the month
    percent = models.DecimalField(_("累计完成（%）"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("工程进度")
        constraints = [
            models.UniqueConstraint(fields=["project", "month"], name="wage_progress_once"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="wage_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.percent}%"


class WageAccount(models.Model):
    """农民工工资专用账户 (Art. 26), opened by the general contractor."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="account")
    bank = models.CharField(_("开户银行"), max_length=80)
    account_number = models.CharField(pgettext_lazy("bank", "账号"), max_length=40)
    opened_on = models.DateField(_("开户日期"))

    class Meta:
        verbose_name = _("工资专用账户")

    def __str__(self) -> str:
        return gettext("%(bank)s 尾号%(last4)s") % {
            "bank": self.bank,
            "last4": self.account_number[-4:],
        }


class DepositKind(models.TextChoices):
    DEPOSIT = "deposit", _("工资保证金（现金）")
    GUARANTEE = "guarantee", _("银行保函")


class WageDeposit(ChoiceLabels, models.Model):
    """工资保证金 or a bank guarantee in its place (Art. 32)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deposits")
    kind = models.CharField(_("形式"), max_length=10, choices=DepositKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    bank = models.CharField(_("银行"), max_length=80)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("工资保证金")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Worker(models.Model):
    """A worker by ID number (实名制). Personal data: shown masked, revealed with an audit."""

    id_number = SealedCharField(_("身份证号"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=40)
    phone = SealedCharField(_("电话"), max_length=20, blank=True)
    bank_account = SealedCharField(_("工资卡号"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("农民工")

    def __str__(self) -> str:
        return gettext("工人 %(pk)s") % {"pk": self.pk}


class RosterEntry(models.Model):
    """实名制花名册 (Art. 28): who works on the project, for which firm, since when."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="roster")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey(
        Firm, verbose_name=_("用工单位"), on_delete=models.PROTECT, related_name="+"
    )
    trade = models.CharField(_("工种"), max_length=30, blank=True)
    entered_on = models.DateField(_("进场日期"))
    left_on = models.DateField(_("退场日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("实名制花名册")
        constraints = [
            models.UniqueConstraint(fields=["project", "worker"], name="wage_roster_once")
        ]

    def __str__(self) -> str:
        return gettext("花名册 %(pk)s") % {"pk": self.pk}


class Attendance(models.Model):
    """Days a worker attended in a month (考勤, Art. 28), as the site's system totals them."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    # ``attendance`` from a worker: the rules join a payment to the same month's attendance.
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="attendance")
    month = models.DateField(_("月份"))
    days = models.PositiveSmallIntegerField(_("出勤天数"))

    class Meta:
        verbose_name = _("考勤")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "month", "worker"], name="wage_attendance_once"
            ),
            models.CheckConstraint(condition=models.Q(days__lte=31), name="wage_days_range"),
        ]

    def __str__(self) -> str:
        return gettext("%(month)s %(days)s 天") % {
            "month": f"{self.month:%Y-%m}",
            "days": self.days,
        }


class PayLine(models.Model):
    """One line of the monthly pay table (工资支付表, Art. 31), signed by the worker."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))
    amount = models.DecimalField(_("应发工资（元）"), max_digits=10, decimal_places=2)
    signed = models.BooleanField(_("本人签字确认"), default=False)

    class Meta:
        verbose_name = _("工资支付表")
        constraints = [
            models.UniqueConstraint(fields=["project", "month", "worker"], name="wage_payline_once")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"


class BankPayment(models.Model):
    """A transfer from the dedicated account to a worker's card (the bank's record)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey(Worker, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("工资所属月份"))
    amount = models.DecimalField(_("实发金额（元）"), max_digits=10, decimal_places=2)
    paid_on = models.DateField(_("代发日期"))
    reference = models.CharField(_("银行流水号"), max_length=40)

    class Meta:
        verbose_name = _("银行代发记录")
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="wage_payment_once")
        ]
        indexes = [models.Index(fields=["project", "month", "worker"], name="wage_payment_pmw")]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"


class LabourDeposit(models.Model):
    """The builder's payment of the labour-cost share into the dedicated account (Art. 24, 29)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(_("拨付金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("拨付日期"))
    reference = models.CharField(_("银行流水号"), max_length=40)

    class Meta:
        verbose_name = _("人工费用拨付")
        constraints = [
            models.UniqueConstraint(fields=["project", "reference"], name="wage_labour_once")
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"


class ImportKind(models.TextChoices):
    ROSTER = "roster", _("实名制花名册")
    ATTENDANCE = "attendance", _("考勤表")
    PAYTABLE = "paytable", _("工资支付表")
    BANK = "bank", _("银行代发记录")
    LABOUR = "labour", _("人工费用拨付记录")


class ImportBatch(ChoiceLabels, models.Model):
    """One imported file; the same file (same content) imports once."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("类型"), max_length=12, choices=ImportKind.choices)
    sha256 = models.CharField(_("文件校验码"), max_length=64)
    filename = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind", "sha256"], name="wage_import_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"


class MatchedBy(models.TextChoices):
    """How a complaint was linked to its project (``services.complaints_autolink``)."""

    MANUAL = "manual", "人工关联"
    NUMBER = "number", "诉求写明了项目编号"
    NAME = "name", "诉求写明了项目名称（同一区县）"
    ADDRESS = "address", "诉求地址即项目地址（同一区县）"
    FIRM = "firm", "诉求写明了施工或建设单位（区县内该单位唯一在建项目）"


class ProjectComplaint(ChoiceLabels, models.Model):
    """A resident's matter (劳资纠纷/欠薪) linked to the project it is about."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="complaints")
    matter = models.ForeignKey("matters.Matter", on_delete=models.PROTECT, related_name="+")
    matched_by = models.CharField(
        "关联方式", max_length=8, choices=MatchedBy.choices, default=MatchedBy.MANUAL
    )
    linked_at = models.DateTimeField("关联时间", null=True, blank=True)

    class Meta:
        verbose_name = _("欠薪投诉关联")
        constraints = [
            models.UniqueConstraint(fields=["project", "matter"], name="wage_complaint_once")
        ]

    def __str__(self) -> str:
        return gettext("诉求关联 %(matter_id)s") % {"matter_id": self.matter_id}


# -- rules as data -------------------------------------------------------------------------------


class Severity(models.TextChoices):
    RED = "red", _("红色")
    YELLOW = "yellow", _("黄色")


class RuleCode(models.TextChoices):
    NO_PAYROLL = "no_payroll", _("未按月通过专用账户发放工资")
    UNPAID = "unpaid", _("有考勤未发工资")
    BELOW_MINIMUM = "below_minimum", _("工资低于最低工资标准")
    PROXY = "proxy", _("单人工资畸高（疑似代发）")
    BALANCE = "balance", _("专户余额不足下月工资")
    LABOUR_SHARE = "labour_share", _("人工费用拨付不足")
    ACCOUNT = "account", _("未开设工资专用账户")
    DEPOSIT = "deposit", _("未缴存工资保证金")
    NOTICE = "notice", _("未设置维权信息告示牌")
    COMPLAINT = "complaint", _("有未办结的欠薪投诉")


class WageRule(ChoiceLabels, models.Model):
    """One warning rule, edited by the city's administrator (audited)."""

    code = models.CharField(_("规则"), max_length=16, choices=RuleCode.choices, unique=True)
    severity = models.CharField(_("预警等级"), max_length=8, choices=Severity.choices)
    threshold = models.DecimalField(_("阈值"), max_digits=12, decimal_places=2, default=0)
    red_above = models.DecimalField(
        _("超过此值为红色"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    threshold_help = models.CharField(_("阈值含义"), max_length=120, blank=True)
    reason = models.CharField(_("预警理由（向干部展示）"), max_length=300)
    enabled = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("欠薪预警规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_code_display()


class MinimumWage(models.Model):
    """The monthly minimum wage of an area's subtree from a date (the most specific area wins)."""

    area_code = models.CharField(_("区域代码"), max_length=12)
    area_path = PathField(_("区域路径"), follows_area=False)
    monthly = models.DecimalField(_("月最低工资（元）"), max_digits=8, decimal_places=2)
    effective_from = models.DateField(_("执行日期"))
    tier = models.CharField(_("档次"), max_length=40, blank=True)
    source = models.CharField(_("依据"), max_length=200)

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("最低工资标准")
        ordering = ["area_path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_path", "effective_from"], name="wage_minimum_once"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(area_code)s %(monthly)s 元（%(effective_from)s 起）") % {
            "area_code": self.area_code,
            "monthly": self.monthly,
            "effective_from": self.effective_from,
        }


# -- warnings --------------------------------------------------------------------------------------


class WarningStatus(models.TextChoices):
    OPEN = "open", _("待处置")
    ASSIGNED = "assigned", _("处置中")
    CLOSED = "closed", _("已办结")


class WarningQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Warning(ChoiceLabels, models.Model):
    """A rule's finding on one project (and month): queued for the district or street."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="warnings")
    rule = models.CharField(_("规则"), max_length=16, choices=RuleCode.choices)
    period = models.DateField(_("所属月份"))
    key = models.CharField(_("去重键"), max_length=80, unique=True)
    severity = models.CharField(_("预警等级"), max_length=8, choices=Severity.choices)
    reason = models.CharField(_("预警理由"), max_length=300)
    evidence = models.JSONField(pgettext_lazy("wages", "依据"), default=dict)
    area_path = PathField(_("区域路径"))
    status = models.CharField(
        _("状态"), max_length=10, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处置人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    candidate = models.ForeignKey(
        "risks.RiskCandidate",
        verbose_name=_("风险线索"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("预警时间"))
    last_seen = models.DateField(_("最近一次命中"))
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = WarningQuerySet.as_manager()
    extra_actions = ("close",)

    class Meta:
        verbose_name = _("欠薪预警")
        verbose_name_plural = _("欠薪预警")
        indexes = [models.Index(fields=["area_path", "status", "id"], name="wage_warning_scope")]

    def __str__(self) -> str:
        return f"{self.get_rule_display()}（{self.project.name}）"

    @property
    def risk(self) -> Any:
        """The risk an officer registered from the warning's candidate (None before)."""
        return self.candidate.risk if self.candidate_id and self.candidate else None


class WarningEvent(Event):
    warning = models.ForeignKey(Warning, on_delete=models.PROTECT, related_name="events")

    subject_field: ClassVar[str] = "warning"

    class Meta(Event.Meta):
        verbose_name = _("欠薪预警记录")
        verbose_name_plural = _("欠薪预警记录")


# -- interviews and the blacklist ------------------------------------------------------------------


class InterviewQuerySet(ScopedQuerySet):
    scope_field = "area_path"


class Interview(models.Model):
    """约谈: officials of a place or a firm with arrears summoned, with the record."""

    area = models.ForeignKey(
        "areas.Area", verbose_name=_("被约谈地区"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    firm = models.ForeignKey(
        Firm, verbose_name=_("被约谈企业"), null=True, blank=True, on_delete=models.PROTECT
    )
    project = models.ForeignKey(
        Project, verbose_name=_("涉及项目"), null=True, blank=True, on_delete=models.PROTECT
    )
    held_on = models.DateField(_("约谈日期"))
    interviewees = models.CharField(_("被约谈人"), max_length=200)
    record = models.TextField(_("约谈记录"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InterviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("约谈记录")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return gettext("约谈 %(held_on)s %(interviewees)s") % {
            "held_on": self.held_on,
            "interviewees": self.interviewees,
        }


class BlacklistEntry(models.Model):
    """拖欠农民工工资失信联合惩戒名单 (Art. 48): listed for three years unless removed early."""

    firm = models.ForeignKey(Firm, verbose_name=_("企业"), on_delete=models.PROTECT)
    project = models.ForeignKey(
        Project, verbose_name=_("涉及项目"), null=True, blank=True, on_delete=models.PROTECT
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("作出决定的地区"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    reason = models.CharField(_("列入事由"), max_length=300)
    arrears = models.DecimalField(_("拖欠金额（元）"), max_digits=14, decimal_places=2)
    listed_on = models.DateField(_("列入日期"))
    expires_on = models.DateField(_("期满日期"))
    rectified_on = models.DateField(_("改正日期"), null=True, blank=True)
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removal_reason = models.CharField(_("移出理由"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CityWideQuerySet.as_manager()

    class Meta:
        verbose_name = _("欠薪失信名单")
        verbose_name_plural = _("欠薪失信名单")
        ordering = ["-listed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.firm} {self.listed_on}"
