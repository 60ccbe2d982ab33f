"""Forms of the wages pages: they translate input; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import AreaField, PersonField
from zhili.wages.models import DepositKind, ImportKind, Severity


class ProjectForm(forms.Form):
    number = forms.CharField(label=_("项目编号"), max_length=40)
    name = forms.CharField(label=_("项目名称"), max_length=120)
    area_code = AreaField(
        label=_("所在街道/社区"), permission="wages.project.add", levels=("street", "community")
    )
    address = forms.CharField(label=_("项目地址"), max_length=200)
    builder_name = forms.CharField(label=_("建设单位"), max_length=120)
    builder_code = forms.CharField(label=_("建设单位统一社会信用代码"), max_length=18)
    contractor_name = forms.CharField(label=_("施工总承包单位"), max_length=120)
    contractor_code = forms.CharField(label=_("总承包单位统一社会信用代码"), max_length=18)
    subcontractor_name = forms.CharField(
        label=_("分包单位（可选）"), max_length=120, required=False
    )
    subcontractor_code = forms.CharField(
        label=_("分包单位统一社会信用代码"), max_length=18, required=False
    )
    contract_value = forms.DecimalField(
        label=_("合同价款（元）"), min_value=0, max_digits=14, decimal_places=2
    )
    labour_share = forms.DecimalField(
        label=_("人工费用占比（%）"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )
    start_on = forms.DateField(label=_("开工日期"), widget=forms.DateInput(attrs={"type": "date"}))
    labour_manager = forms.CharField(label=_("劳资专管员"), max_length=40)
    labour_manager_phone = forms.CharField(label=_("劳资专管员电话"), max_length=20)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"), choices=ImportKind.choices)
    file = forms.FileField(label=_("文件（xlsx 或 CSV）"))


class AccountForm(forms.Form):
    bank = forms.CharField(label=_("开户银行"), max_length=80)
    account_number = forms.CharField(label=_("专户账号"), max_length=40)
    opened_on = forms.DateField(label=_("开户日期"), widget=forms.DateInput(attrs={"type": "date"}))


class DepositForm(forms.Form):
    kind = forms.ChoiceField(label=_("形式"), choices=DepositKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), min_value=0, max_digits=14, decimal_places=2)
    bank = forms.CharField(label=_("银行"), max_length=80)
    valid_until = forms.DateField(
        label=_("有效期至（保函）"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ProgressForm(forms.Form):
    month = forms.DateField(
        label=_("月份（任一天）"), widget=forms.DateInput(attrs={"type": "date"})
    )
    percent = forms.DecimalField(
        label=_("累计完成（%）"), min_value=0, max_value=100, max_digits=5, decimal_places=2
    )


class NoticeForm(forms.Form):
    photo = forms.FileField(label=_("告示牌照片"))


class ComplaintForm(forms.Form):
    matter = forms.CharField(label=_("诉求编号"), max_length=20)


class AssignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    assignee = PersonField(label=_("处置人"), kind="wages.assignee")


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class RuleForm(forms.Form):
    severity = forms.ChoiceField(label=_("预警等级"), choices=Severity.choices)
    threshold = forms.DecimalField(label=_("阈值"), min_value=0, max_digits=12, decimal_places=2)
    red_above = forms.DecimalField(
        label=_("超过此值为红色（可空）"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
    )
    reason = forms.CharField(
        label=_("预警理由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    enabled = forms.BooleanField(label=_("启用"), required=False)


class MinimumWageForm(forms.Form):
    area_code = forms.CharField(
        label=_("区县代码（全市填 500000）"), max_length=12, initial="500000"
    )
    monthly = forms.DecimalField(
        label=_("月最低工资（元）"), min_value=1, max_digits=8, decimal_places=2
    )
    effective_from = forms.DateField(
        label=_("执行日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    tier = forms.CharField(label=_("档次（如“第一档”）"), max_length=40, required=False)
    source = forms.CharField(label=_("依据（文件名称与文号）"), max_length=200)


class InterviewForm(forms.Form):
    area_code = AreaField(label=_("被约谈地区"), permission="wages.interview.add")
    firm_code = forms.CharField(
        label=_("被约谈企业统一社会信用代码（可空）"), max_length=18, required=False
    )
    held_on = forms.DateField(label=_("约谈日期"), widget=forms.DateInput(attrs={"type": "date"}))
    interviewees = forms.CharField(label=_("被约谈人"), max_length=200)
    record = forms.CharField(label=_("约谈记录"), widget=forms.Textarea(attrs={"rows": 5}))


class BlacklistForm(forms.Form):
    firm_code = forms.CharField(label=_("企业统一社会信用代码"), max_length=18)
    area_code = AreaField(
        label=_("作出决定的区县"), permission="wages.blacklistentry.add", levels=("district",)
    )
    reason = forms.CharField(label=_("列入事由"), max_length=300)
    arrears = forms.DecimalField(
        label=_("拖欠金额（元）"), min_value=0, max_digits=14, decimal_places=2
    )
    listed_on = forms.DateField(label=_("列入日期"), widget=forms.DateInput(attrs={"type": "date"}))


class RemovalForm(forms.Form):
    rectified_on = forms.DateField(
        label=_("改正（清偿）日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    committed = forms.BooleanField(label=_("已作出书面信用承诺"), required=False)
