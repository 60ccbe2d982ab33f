"""Labels of what the areas services record in the audit trail (core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "area.create": _("新增区划"),
        "area.update": _("修改区划"),
        "area.import": _("导入区划与网格"),
        "area.load": _("载入行政区划"),
        "area.division_change": _("应用区划调整"),
        "boundary.load_demo": _("载入演示边界"),
        "boundary.upload": _("上传区域边界"),
    }
)
labels.register_audit_fields("areas.divisionchange", {"ops": _("变更项数")})
