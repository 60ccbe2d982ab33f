from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from zhili.cockpit.models import CameraStatus
from zhili.core.pickers import AreaField


class CameraForm(forms.Form):
    code = forms.CharField(label=_("点位编号"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=120)
    area = AreaField(
        label=_("所在区域（网格或社区）"),
        permission="cockpit.camerapoint.add",
        levels=("community", "grid"),
    )
    lat = forms.FloatField(label=_("纬度"), min_value=-90, max_value=90)
    lng = forms.FloatField(label=_("经度"), min_value=-180, max_value=180)
    owner = forms.CharField(label=_("权属单位"), max_length=120)
    coverage = forms.CharField(label=_("覆盖范围"), max_length=200, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=CameraStatus.choices)
