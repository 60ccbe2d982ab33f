"""Labels of the keys the risks workflow's audit records hold (its actions, and the audit actions
of the register's other writes, are labelled beside the rules table)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.risks.models import AssessmentKind

labels.register_audit_fields(
    "risks.risk",
    {
        "likelihood": _("可能性"),
        "impact": _("影响程度"),
        "kind": _("评估类型"),
        "to": _("上报至"),
        "to_name": _("上报至"),
        "due": _("期限"),
        "expires": _("接受有效期至"),
        "measure": _("管控措施"),
        "owner": _("措施负责人"),
        "owner_name": _("措施负责人"),
        "person": _("责任人"),
        "person_name": _("责任人"),
        "unit": _("责任单位"),
        "text": _("内容"),
        "final_rating": _("最终评级"),
        "number": _("编号"),
        "source": _("来源"),
    },
    choices={"kind": dict(AssessmentKind.choices)},
)
