from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core.pickers import AreaField
from zhili.indicators.models import Indicator


class ValueForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=pgettext_lazy("indicator", "指标"),
        queryset=Indicator.objects.filter(active=True),
        empty_label=_("请选择…"),
    )
    area = AreaField(label=_("区域"), permission="indicators.indicatorvalue.add")
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    value = forms.DecimalField(label=_("数值"), min_value=0, required=False,
                               help_text=_("有构成项的指标（如八类案件）可填构成项，数值取其和"))  # fmt: skip
    components = forms.CharField(
        label=_("构成项"), required=False, help_text=_("如：杀人=1，抢劫=2"), max_length=400
    )
    source = forms.CharField(label=_("来源"), max_length=200)
    note = forms.CharField(label=_("修订说明"), max_length=200, required=False)

    def clean_components(self) -> dict[str, Any]:
        raw = self.cleaned_data.get("components") or ""
        out: dict[str, Any] = {}
        for part in raw.replace("，", ",").replace("；", ",").split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise forms.ValidationError(_("构成项请写成“名称=数值”，用逗号分隔"))
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
        return out


class ImportForm(forms.Form):
    file = forms.FileField(label=_("xlsx 文件"))
    source = forms.CharField(
        label=_("来源"),
        max_length=200,
        required=False,
        help_text=_("表中“来源”列为空的行使用此来源"),
    )


class WaveForm(forms.Form):
    area = AreaField(label=_("区县"), permission="indicators.surveywave.add", levels=("district",))
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    planned = forms.IntegerField(label=_("计划样本量"), min_value=0, required=False)
    source = forms.CharField(label=_("承担调查的机构"), max_length=200, required=False)


class ResponsesForm(forms.Form):
    file = forms.FileField(label=_("回答（xlsx：样本编号、回答、权重）"))
