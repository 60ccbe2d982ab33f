"""Labels of the audit actions and keys the visits services write outside the rules table."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "visitplan.create": _("走访计划 · 新建"),
        "visit.schedule": _("走访 · 安排走访"),
    }
)
labels.register_audit_fields(
    "visits.visit",
    {
        "building": _("楼栋"),
        "building_name": _("楼栋"),
        "date": _("计划日期"),
        "visited_on": _("走访日期"),
        "reason": _("未走访原因"),
        "count": _("走访群众数"),
        "text": _("诉求内容"),
        "number": _("诉求编号"),
        "demand": _("走访诉求"),
        "name": _("群众姓名"),
        "phone": _("联系电话"),
        "room": _("门牌/房号"),
    },
)
labels.register_audit_fields(
    "visits.visitplan",
    {"cadre": _("走访干部"), "title": _("计划名称"), "area": _("走访范围")},
)
