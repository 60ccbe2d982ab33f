"""``{% area_picker "area" value "risks.risk.view" %}``: a list filter's 区域 input with the area
picker (core.pickers), for pages whose filters are written in the template."""

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from zhili.core.pickers import AreaPickerInput

register = template.Library()


@register.simple_tag
def area_picker(
    name: str, value: Any, permission: str, levels: str = "", id: str = ""
) -> SafeString:
    widget = AreaPickerInput(
        permission,
        tuple(lv for lv in levels.split(",") if lv),
        attrs={
            "class": "form-control",
            "aria-label": _("区域"),
            "placeholder": _("区域：名称或代码"),
            "id": id or f"filter-{name}",
        },
    )
    return widget.render(name, value or "")
