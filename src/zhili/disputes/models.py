"""Dispute resolution (矛盾纠纷多元化解): one case, one file — channels, parties, mediation
sessions, agreement or failure, judicial confirmation, follow-up; time limits with extension."""

from __future__ import annotations

from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core.events import Event
from zhili.core.fields import ChoiceLabels, PathField, SealedCharField
from zhili.core.scoping import ScopedQuerySet, paths_q, scope_paths


class Channel(models.TextChoices):
    COURT_ASSIGNED = "court_assigned", _("诉调对接·委派（诉前）")
    COURT_ENTRUSTED = "court_entrusted", _("诉调对接·委托（诉中）")
    POLICE = "police", _("警调对接")
    PETITION = "petition", _("访调对接")
    DIRECT = "direct", _("当事人申请")
    MATTER = "matter", _("群众诉求转入")


COURT_CHANNELS = (Channel.COURT_ASSIGNED, Channel.COURT_ENTRUSTED)


class Status(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    MEDIATING = "mediating", _("调解中")
    AGREED = "agreed", _("达成协议")
    FAILED = "failed", _("调解不成")
    CLOSED = "closed", _("已结案")


class DisputeQuerySet(ScopedQuerySet):
    """Scoped by area; a mediator sees the disputes assigned to them.

    ``view`` over an area shows every dispute there (the street's and the district's officers).
    ``mediate`` over an area is the mediator's right: it shows, and lets them mediate, only the
    disputes assigned to them in that area, never the others (the demo mediator role holds only
    ``mediate``).
    """

    scope_field = "area_path"

    def visible_to(self, user: Any, action: str = "view") -> Self:
        paths = scope_paths(user, self.model, action)
        if paths is None:
            return self  # superuser
        q = Q(pk__in=[]) if action == "mediate" else paths_q(self.scope_field, paths)
        if action in ("view", "mediate"):
            mediating = paths if action == "mediate" else scope_paths(user, self.model, "mediate")
            if mediating:
                q |= Q(mediator_id=user.pk) & paths_q(self.scope_field, mediating)
            elif not paths:
                return self.none()
        elif not paths:
            return self.none()
        return self.filter(q)


class Dispute(ChoiceLabels, models.Model):
    number = models.CharField(_("案号"), max_length=20, unique=True)
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    referral_no = models.CharField(
        _("移交文书号"), max_length=60, blank=True, help_text=_("法院、派出所或信访部门的文书编号")
    )
    referring_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("移交单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    matter = models.ForeignKey(
        "matters.Matter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name=_("来源诉求"),
    )
    subject = models.CharField(_("纠纷事由"), max_length=200)
    facts = models.TextField(_("基本情况"))
    amount = models.DecimalField(
        _("涉及金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = PathField(_("区域路径"))
    committee = models.ForeignKey(
        "org.Unit",
        verbose_name=_("人民调解委员会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("调解员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REGISTERED
    )
    complex_case = models.BooleanField(
        _("复杂案件"), default=False, help_text=_("警调对接：复杂案件时限较长")
    )
    litigation_involved = models.BooleanField(_("涉及诉讼、复议或检察程序"), default=False)
    parties_consent = models.BooleanField(_("双方当事人同意调解"), default=False)
    received_at = models.DateTimeField(_("受理时间"))
    due_at = models.DateTimeField(_("调解期限"))
    extended_days = models.PositiveSmallIntegerField(_("已延长天数"), default=0)
    escalation_signs = models.BooleanField(_("有激化迹象"), default=False)
    agreement_text = models.TextField(_("协议内容"), blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    confirmation_due = models.DateField(_("司法确认申请期限"), null=True, blank=True)
    confirmation_applied_on = models.DateField(_("申请司法确认日期"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("司法确认时间"), null=True, blank=True)
    failure_reason = models.TextField(_("不成原因"), blank=True)
    returned_to = models.CharField(pgettext_lazy("returned to", "退回"), max_length=100, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    follow_up_due = models.DateField(_("回访期限"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    follow_up_note = models.TextField(_("回访情况"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = DisputeQuerySet.as_manager()
    extra_actions = ("mediate", "view_personal")

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        indexes = [
            models.Index(fields=["area_path", "status", "id"], name="dispute_scope_idx"),
            models.Index(fields=["status", "due_at"], name="dispute_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.REGISTERED, Status.MEDIATING)


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD = "third", _("第三人")


class Party(ChoiceLabels, models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("身份"), max_length=12, choices=PartyRole.choices)
    is_organisation = models.BooleanField(_("组织"), default=False)
    name = models.CharField(_("姓名/名称"), max_length=100)
    id_number = SealedCharField(_("证件号码"), max_length=32, blank=True)
    phone = SealedCharField(_("电话"), max_length=32, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    related_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("亲属或利害关系的工作人员"),
    )

    class Meta:
        verbose_name = _("当事人")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="sessions")
    at = models.DateTimeField(_("调解时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    notes = models.TextField(_("调解记录"))
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("调解记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.dispute_id} {self.at:%Y-%m-%d}"


class DisputeEvent(Event):
    """One step of a dispute's case file (一案一档); append-only (see ``core.events``)."""

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("矛盾纠纷"), on_delete=models.PROTECT, related_name="events"
    )

    subject_field: ClassVar[str] = "dispute"

    class Meta(Event.Meta):
        verbose_name = _("纠纷记录")
        verbose_name_plural = _("纠纷记录")


class DisputeCounter(models.Model):
    year = models.PositiveIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
