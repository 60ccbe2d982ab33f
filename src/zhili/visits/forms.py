"""Forms of the visit pages. Big inputs for a phone held in one hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core.forms import StyledForm
from zhili.core.pickers import AreaField, PersonField


class Styled(StyledForm):
    large = True  # the cadre's phone: bigger controls


DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(Styled):
    title = forms.CharField(label=_("计划名称"), max_length=120)
    cadre = PersonField(label=_("走访干部"), kind="visits.cadre")
    area = AreaField(
        label=_("走访范围（街道、社区或网格）"),
        permission="visits.visitplan.add",
        levels=("street", "community", "grid"),
    )


class ScheduleForm(Styled):
    building = forms.ChoiceField(label=_("楼栋"))
    date = forms.DateField(label=_("计划日期"), widget=DATE)

    def __init__(self, *args: Any, buildings: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["building"].choices = [("", _("请选择楼栋"))] + [  # type: ignore[attr-defined]
            (b.code, b.name) for b in buildings
        ]


class RecordForm(Styled):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    summary = forms.CharField(
        label=_("现场情况（召开现场会、走访发现）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MissForm(Styled):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("未走访原因"), max_length=200)


class ResidentForm(Styled):
    name = forms.CharField(label=_("群众姓名"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    room = forms.CharField(label=_("门牌/房号"), max_length=64, required=False)


class DemandForm(Styled):
    text = forms.CharField(label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=pgettext_lazy("field", "诉求分类"))
    resident = forms.ChoiceField(label=_("反映人"), required=False)
    to_matter = forms.BooleanField(label=_("立即转为诉求事项"), required=False, initial=True)

    def __init__(
        self, *args: Any, categories: Any = (), residents: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories  # type: ignore[attr-defined]
        self.fields["resident"].choices = [("", _("（未登记反映人）"))] + [  # type: ignore[attr-defined]
            (str(r["id"]), r["name"]) for r in residents
        ]
