"""Dispute forms: registration, and the input of each action (which actions a page shows comes
from the rules table, ``WORKFLOW.allowed_actions``)."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField, PersonField
from zhili.disputes.models import Channel
from zhili.org.models import Unit


class DisputeForm(StyledForm):
    channel = forms.ChoiceField(label=_("来源"), choices=Channel.choices)
    referral_no = forms.CharField(label=_("法院/派出所/信访文书号"), max_length=60, required=False)
    matter = forms.CharField(label=_("来源诉求编号"), max_length=20, required=False)
    subject = forms.CharField(label=_("纠纷事由"), max_length=200)
    facts = forms.CharField(label=_("基本情况"), widget=forms.Textarea(attrs={"rows": 3}))
    area_code = AreaField(
        label=_("发生地（街道、社区或网格）"),
        permission="disputes.dispute.add",
        levels=("street", "community", "grid"),
    )
    amount = forms.DecimalField(
        label=_("涉及金额（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    applicant = forms.CharField(label=_("申请人"), max_length=100, required=False)
    applicant_phone = forms.CharField(label=_("申请人电话"), max_length=32, required=False)
    applicant_id = forms.CharField(label=_("申请人证件号"), max_length=32, required=False)
    respondent = forms.CharField(label=_("被申请人"), max_length=100)
    respondent_phone = forms.CharField(label=_("被申请人电话"), max_length=32, required=False)
    respondent_is_org = forms.BooleanField(label=_("被申请人为单位"), required=False)
    litigation_involved = forms.BooleanField(label=_("已进入诉讼、复议或检察程序"), required=False)
    parties_consent = forms.BooleanField(
        label=_("双方当事人同意调解"), required=False, help_text=_("访调对接须经双方当事人同意")
    )
    complex_case = forms.BooleanField(
        label=_("复杂案件（警调对接）"),
        required=False,
        help_text=_("警调对接一般 24 小时内反馈，复杂案件 5 天"),
    )

    def __init__(self, *args: Any, reporter: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """``reporter``: the source matter's reporter as the user may see it (masked). It is shown
        in a label only; the real values are copied by the service on submit, for a user who may
        see them (``may_copy``)."""
        super().__init__(*args, **kwargs)
        if reporter is None:
            return
        phone = (
            gettext("，电话 %(phone)s") % {"phone": reporter["phone"]}
            if reporter.get("phone")
            else ""
        )
        who = f"{reporter['name']}{phone}"
        if not reporter.get("may_copy"):
            self.fields["applicant"].help_text = gettext(
                "来源诉求的反映人：%(who)s。您没有查看其完整信息的权限，请填写申请人。"
            ) % {"who": who}
            return
        self.fields["applicant_is_reporter"] = forms.BooleanField(
            label=gettext("申请人即来源诉求的反映人（%(who)s）") % {"who": who},
            help_text=gettext(
                "登记时由系统从诉求中复制反映人的完整姓名和电话（记入审计）；"
                "不勾选则请在下方填写申请人。"
            ),
            required=False,
            initial=True,
        )
        self.fields["applicant_is_reporter"].widget.attrs["class"] = "form-check-input"
        order = [f for f in self.fields if f != "applicant_is_reporter"]
        order.insert(order.index("applicant"), "applicant_is_reporter")
        self.order_fields(order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("applicant_is_reporter") and not (data.get("applicant") or "").strip():
            self.add_error("applicant", gettext("请填写申请人"))
        return data


class ActionForm(StyledForm):
    """An action's input; ``version`` is the version of the case the page showed (409 if stale)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AssignForm(ActionForm):
    committee: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("人民调解委员会"), queryset=Unit.objects.none()
    )
    mediator = PersonField(
        label=_("调解员"), kind="disputes.mediator", help_text=_("先选调解委员会，再选其调解员")
    )


class SessionForm(ActionForm):
    at = forms.DateTimeField(
        label=_("调解时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    notes = forms.CharField(label=_("调解记录"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(ActionForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1)
    parties_request = forms.BooleanField(label=_("双方当事人已申请延期"), required=False)
    note = forms.CharField(label=_("说明"), required=False)


class AgreeForm(ActionForm):
    agreement = forms.CharField(label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ConfirmForm(ActionForm):
    applied_on = forms.DateField(
        label=_("当事人申请日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("双方当事人向法院申请司法确认的日期；期限按此计算，留空视为与确认日期同日"),
    )
    confirmed_on = forms.DateField(
        label=_("司法确认日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class NoteForm(ActionForm):
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
