import json
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.areas.models import Area
from zhili.core.forms import StyledForm


class AreaChildForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    code = forms.CharField(
        label=gettext_lazy("代码"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("留空则按上级代码自动编号"),
    )
    households = forms.IntegerField(label=gettext_lazy("户数"), required=False, min_value=0)
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)
    lat = forms.FloatField(
        label=gettext_lazy("纬度（WGS-84）"), required=False, min_value=-90, max_value=90
    )
    lng = forms.FloatField(
        label=gettext_lazy("经度（WGS-84）"), required=False, min_value=-180, max_value=180
    )
    geometry = forms.CharField(
        label=gettext_lazy("边界（GeoJSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("网格可填 Polygon 或 MultiPolygon 的 GeoJSON；可留空"),
    )

    def clean_geometry(self) -> dict[str, Any] | None:
        raw = (self.cleaned_data.get("geometry") or "").strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(gettext("不是有效的 GeoJSON")) from exc
        if isinstance(value, dict) and value.get("type") == "Feature":
            value = value.get("geometry")
        if not isinstance(value, dict):
            raise forms.ValidationError(gettext("不是有效的 GeoJSON"))
        return value

    @classmethod
    def initial_for(cls, area: Area) -> dict[str, Any]:
        return {
            "name": area.name,
            "code": area.code,
            "households": area.households,
            "address": area.address,
            "lat": area.lat,
            "lng": area.lng,
            "geometry": json.dumps(area.geometry, ensure_ascii=False) if area.geometry else "",
        }


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .geojson）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {"class": "form-control", "accept": ".xlsx,.geojson,.json"}
        )


class BoundaryUploadForm(StyledForm):
    file = forms.FileField(
        label=_("边界文件（GeoJSON 或 xlsx，WGS-84）"),
        help_text=_(
            "GeoJSON：每个要素的 properties.code 为区县、街道（乡镇）或社区（村）代码；"
            "xlsx：代码、名称、边界三列"
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("来源"), max_length=200, initial=gettext_lazy("经审核的边界")
    )
    approval_no = forms.CharField(label=gettext_lazy("审图号"), max_length=64, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".geojson,.json,.xlsx"
