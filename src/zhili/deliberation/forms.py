"""Forms of the deliberation pages: a record, a step (its fields depend on the step), a
project and each of its actions. Rules live in the services; forms only type the input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField
from zhili.deliberation.models import Assembly, LedgerKind, Proposer, Purpose, Stage
from zhili.deliberation.services import MEETINGS, PUBLICITY
from zhili.org.models import User


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _count(label: Any, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        required=required,
        initial=None,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class DeliberationForm(StyledForm):
    area_code = AreaField(
        label=_("村（社区）"), permission="deliberation.deliberation.add", levels=("community",)
    )
    title = forms.CharField(label=_("事项名称"), max_length=200)
    content = forms.CharField(label=_("事项内容"), widget=forms.Textarea(attrs={"rows": 4}))
    merged_posts = forms.BooleanField(
        label=_("书记、主任一肩挑（提议和商议合并为一步）"), required=False
    )
    review_before = forms.ChoiceField(
        label=_("须经法律顾问审查后方可进行"),
        choices=[("", _("不需要法律审查")), *[c for c in Stage.choices if c[0] != "merged"]],
        required=False,
    )


class StepForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    held_on = _date(_("日期"))
    assembly = forms.ChoiceField(label=_("会议形式"), choices=Assembly.choices)
    due = _count(_("应到人数"))
    present = _count(_("实到人数"))
    households_due = _count(_("总户数（按户计到会时填写）"))
    households_present = _count(_("到会户数"))
    votes_for = _count(_("赞成"))
    votes_against = _count(_("反对"))
    abstain = _count(_("弃权"))
    witness: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("乡镇（街道）见证人"), queryset=User.objects.none(), required=False
    )
    public_from = _date(_("公开起始日"))
    public_until = _date(_("公开截止日"))
    text = forms.CharField(
        label=_("内容（会议记录、决议或公开内容）"), widget=forms.Textarea(attrs={"rows": 3})
    )
    signatures = forms.FileField(label=_("签到和表决签字材料扫描件（PDF 或图片）"), required=False)

    def __init__(self, *args: Any, stage: str, witnesses: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"version", "held_on", "text"}
        if stage in MEETINGS:
            keep |= {"due", "present", "votes_for", "votes_against", "abstain", "signatures"}
            for name in ("due", "present", "votes_for"):
                self.fields[name].required = True
            # The service refuses a meeting without them: marked required, with its message.
            self.fields["signatures"].required = True
            self.fields["signatures"].error_messages["required"] = _(
                "请上传签到和表决签字材料扫描件"
            )
        elif stage in PUBLICITY:
            keep |= {"public_from", "public_until"}
        else:
            keep |= {"due", "present", "votes_for", "votes_against", "abstain", "signatures"}
        if stage == Stage.DECISION:
            keep |= {"assembly", "households_due", "households_present", "witness"}
            self.fields["witness"].queryset = witnesses  # type: ignore[attr-defined]
            self.fields["witness"].required = True
            self.fields["due"].label = _("应到人数（十八周岁以上村（居）民或代表）")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "signatures" in self.fields:
            self.fields["signatures"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.webp"


class ReasonForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    reason = forms.CharField(label=_("终止原因"), widget=forms.Textarea(attrs={"rows": 2}))


class ReviewRequestForm(StyledForm):
    question = forms.CharField(label=_("送审内容"), widget=forms.Textarea(attrs={"rows": 2}))


class ProjectForm(StyledForm):
    area_code = AreaField(
        label=_("村（社区）"), permission="deliberation.project.add", levels=("community",)
    )
    title = forms.CharField(label=_("项目名称"), max_length=200)
    purpose = forms.ChoiceField(label=_("类别"), choices=Purpose.choices)
    description = forms.CharField(label=_("建设内容"), widget=forms.Textarea(attrs={"rows": 3}))
    proposer = forms.ChoiceField(label=_("提议方式"), choices=Proposer.choices)
    signers = _count(_("联名人数"))
    villagers = _count(_("村民总数（人）"), required=True)
    representatives = _count(_("村民代表总数"))
    budget = forms.DecimalField(
        label=_("项目预算（元）"), min_value=0, max_digits=14, decimal_places=2
    )
    money_per_person = forms.DecimalField(
        label=_("每人筹资（元）"), min_value=0, max_digits=8, decimal_places=2, required=False
    )
    labour_per_person = forms.DecimalField(
        label=_("每人筹劳（工日）"), min_value=0, max_digits=5, decimal_places=1, required=False
    )


class Versioned(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class NoticeForm(Versioned):
    notice_from = _date(_("公告起始日"))
    notice_until = _date(_("公告截止日"))


class CanvassForm(Versioned):
    households = _count(_("总户数"), required=True)
    canvassed = _count(_("入户征求户数"), required=True)
    agree = _count(_("同意户数"), required=True)


class VoteForm(Versioned):
    held_on = _date(_("日期"))
    assembly = forms.ChoiceField(label=_("会议形式"), choices=Assembly.choices)
    due = _count(_("应到人数"), required=True)
    present = _count(_("实到人数"), required=True)
    households_due = _count(_("总户数"))
    households_present = _count(_("到会户数"))
    votes_for = _count(_("赞成"), required=True)
    votes_against = _count(_("反对"))
    abstain = _count(_("弃权"))
    note = forms.CharField(label=_("说明"), required=False)


class DecisionForm(Versioned):
    approve = forms.TypedChoiceField(
        label=_("意见"), choices=[("1", _("同意")), ("0", _("不同意"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ContributionForm(Versioned):
    household = forms.CharField(label=_("户主姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    persons = _count(_("应筹人数"), required=True)
    money = forms.DecimalField(
        label=_("筹资（元）"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    labour_days = forms.DecimalField(
        label=_("筹劳（工日）"), min_value=0, max_digits=6, decimal_places=1, required=False
    )
    exempt_reason = forms.CharField(
        label=_("减免原因（五保户、低保户等）"), max_length=100, required=False
    )
    on = _date(_("日期"))


class LedgerForm(Versioned):
    kind = forms.ChoiceField(label=_("类别"), choices=LedgerKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=14, decimal_places=2)
    on = _date(_("日期"))
    note = forms.CharField(label=_("摘要"), max_length=200)


class NoteForm(Versioned):
    note = forms.CharField(label=_("说明"), required=False)
