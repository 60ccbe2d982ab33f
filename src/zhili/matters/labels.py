"""Labels of what the matters services record in the audit trail outside the workflow (the
catalogue, intake, personal data views) and of the keys the workflow's audit records hold;
the workflow's own actions are labelled by its rules table (core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.matters.models import STAGE_LABELS, HandlingMode

labels.register_audit(
    {
        "category.create": _("新增诉求分类"),
        "category.update": _("修改诉求分类"),
        "category.import": _("导入诉求分类"),
        "routing_rule.set": _("设置派遣规则"),
        "routing_rule.delete": _("删除派遣规则"),
        "matter.create": _("登记诉求"),
        "matter.view_personal": _("查看诉求人信息"),
        "matter.anonymise": _("到期匿名化已结诉求的诉求人信息"),
    }
)
labels.register_audit_fields(
    "matters.category",
    {"created": _("新增分类数"), "updated": _("修改分类数"), "rules": _("派遣规则数")},
)
labels.register_audit_fields(
    "matters.matter",
    {
        "approved": _("是否批准"),
        "contacted": _("是否已联系诉求人"),
        "passed": _("核查是否通过"),
        "stage": _("环节"),
        "unit": _("承办单位"),
        "unit_name": _("承办单位名称"),
        "co_units": _("协办单位"),
        "solved": _("问题是否解决"),
        "satisfied": _("是否满意"),
        "contact_due": _("联系群众时限"),
        "level": _("升级层级"),
        "from": _("原所在区域"),
        "from_name": _("原所在区域名称"),
        "to_name": _("定位到的区域"),
        "by": _("评价人"),
        "mode": _("办理方式（四事四办）"),
        "from_mode": _("原办理方式"),
    },
    choices={
        "stage": STAGE_LABELS,
        "mode": dict(HandlingMode.choices),
        "from_mode": dict(HandlingMode.choices),
    },
)
