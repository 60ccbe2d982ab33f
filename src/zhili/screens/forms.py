from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField, PersonField
from zhili.screens.models import Satisfaction
from zhili.screens.services import COMMENT_LIMIT


class CentreForm(StyledForm):
    area = AreaField(
        label=_("村/社区"), permission="screens.servicecentre.add", levels=("community",)
    )
    name = forms.CharField(label=_("名称"), max_length=120)
    complaint_line = forms.CharField(label=_("监督投诉电话"), max_length=40)
    hours = forms.CharField(label=_("办公时间"), max_length=120, required=False)


class DeviceForm(StyledForm):
    name = forms.CharField(label=_("设备名称"), max_length=80, help_text=_("如：大厅电视"))


class NoticeForm(StyledForm):
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


class DutyForm(StyledForm):
    day = forms.DateField(
        label=_("日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    post = forms.CharField(label=_("岗位"), max_length=60, required=False,
                           help_text=_("不填则用该服务人员登记的岗位"))  # fmt: skip
    person = forms.CharField(
        label=_("值班人员"),
        max_length=40,
        help_text=_("从本中心服务人员中选择；新的姓名会登记为本中心的服务人员"),
        widget=forms.TextInput(attrs={"list": "staff-names", "autocomplete": "off"}),
    )


class StaffForm(StyledForm):
    name = forms.CharField(
        label=_("姓名"), max_length=40, help_text=_("公示屏和评价页面上显示的姓名")
    )
    post = forms.CharField(label=_("岗位"), max_length=60, required=False)
    username = PersonField(label=_("平台账号（可不填）"), kind="screens.account", required=False)


class RatingForm(forms.Form):
    """A resident's rating (public page): the staff member, one of five answers, a comment."""

    staff = forms.TypedChoiceField(
        label=_("为您服务的工作人员"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择为您服务的工作人员"),
                        "invalid_choice": _("请选择为您服务的工作人员")},
    )  # fmt: skip
    score = forms.TypedChoiceField(
        label=_("您对本次服务的评价"),
        coerce=int,
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意程度"), "invalid_choice": _("请选择满意程度")},
    )
    comment = forms.CharField(
        label=_("意见建议（可不填）"),
        max_length=COMMENT_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("评价不记录您的身份，请勿填写姓名、电话等个人信息"),
    )

    def __init__(self, *args: Any, staff: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["staff"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.pk, f"{s.name} · {s.post}" if s.post else s.name) for s in staff]
