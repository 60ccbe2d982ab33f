"""Forms of the legal pages; the rules are in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField, PersonField
from zhili.legal.models import Adviser, ServiceKind


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class AdviserForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    firm = forms.CharField(label=_("执业机构"), max_length=100)
    license_no = forms.CharField(label=_("执业证号"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    area_code = AreaField(
        label=_("登记区域（街道或区县）"),
        permission="legal.adviser.add",
        levels=("district", "street"),
    )
    username = PersonField(label=_("平台账号（可不填）"), kind="legal.account", required=False)


class CoverageForm(StyledForm):
    adviser: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("法律顾问"), queryset=Adviser.objects.none()
    )
    area_code = AreaField(
        label=_("村（社区）"), permission="legal.coverage.add", levels=("community",)
    )
    since = _date(_("起始日期"))

    def __init__(self, *args: Any, advisers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["adviser"].queryset = advisers  # type: ignore[attr-defined]


class DutyForm(CoverageForm):
    since = None  # type: ignore[assignment]
    area_code = AreaField(label=_("村（社区）"), permission="legal.duty.add", levels=("community",))
    on = _date(_("日期"))
    start = forms.TimeField(label=_("开始"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("结束"), widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label=_("地点"), max_length=100, required=False)


class ConsultationForm(StyledForm):
    area = forms.ChoiceField(label=_("村（社区）"))
    kind = forms.ChoiceField(label=_("服务类型"), choices=ServiceKind.choices)
    on = _date(_("日期"))
    minutes = forms.IntegerField(label=_("时长（分钟）"), min_value=1, max_value=24 * 60)
    on_site = forms.BooleanField(label=_("在村（社区）现场"), required=False, initial=True)
    topic = forms.CharField(label=_("事由"), max_length=200)
    person = forms.CharField(label=_("咨询人"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    answer = forms.CharField(
        label=_("解答意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = areas  # type: ignore[attr-defined]


class DecideForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    approve = forms.TypedChoiceField(
        label=_("结论"),
        choices=[("1", _("审查通过")), ("0", _("提出修改意见"))],
        coerce=lambda v: v == "1",
    )
    opinion = forms.CharField(label=_("审查意见"), widget=forms.Textarea(attrs={"rows": 3}))
