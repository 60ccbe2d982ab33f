from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import AreaField


class CentreForm(forms.Form):
    area = AreaField(
        label=_("村/社区"), permission="screens.servicecentre.add", levels=("community",)
    )
    name = forms.CharField(label=_("名称"), max_length=120)
    complaint_line = forms.CharField(label=_("监督投诉电话"), max_length=40)
    hours = forms.CharField(label=_("办公时间"), max_length=120, required=False)


class DeviceForm(forms.Form):
    name = forms.CharField(label=_("设备名称"), max_length=80, help_text=_("如：大厅电视"))


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    body = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    show_from = forms.DateField(
        label=_("展示开始"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    show_until = forms.DateField(
        label=_("展示结束"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    published = forms.BooleanField(label=_("立即发布"), required=False, initial=True)


class DutyForm(forms.Form):
    day = forms.DateField(
        label=_("日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    post = forms.CharField(label=_("岗位"), max_length=60)
    person = forms.CharField(label=_("值班人员"), max_length=40)
