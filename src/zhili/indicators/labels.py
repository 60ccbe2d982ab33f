"""Chinese labels of the indicators app's audit actions and keys."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core import labels

labels.register_audit(
    {
        "indicator.create": _("新增平安指标"),
        "indicator.value_set": _("填报指标数值"),
        "indicator.values_import": _("导入指标数值"),
        "creation.pass_line_set": _("设置平安创建达标线"),
        "survey.wave_create": _("新增调查样本"),
        "survey.responses_import": _("导入调查回答"),
    }
)
labels.register_audit_fields(
    "indicators.indicatorvalue",
    {
        "value": _("数值"),
        "source": _("来源"),
        "version": _("版本"),
        "rows": _("行数"),
        "new": pgettext_lazy("version", "新增"),
        "changed": _("修订"),
    },
)
labels.register_audit_fields(
    "indicators.indicator",
    {"code": _("代码"), "name": _("名称"), "components": _("构成项")},
)
labels.register_audit_fields(
    "indicators.surveywave",
    {"year": _("年度"), "planned": _("计划样本量"), "responses": _("回答数")},
)
labels.register_audit_fields("indicators.creationsheet", {"pass_line": _("达标线")})
