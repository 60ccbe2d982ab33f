"""Labels of what the risks services record in the audit trail outside the workflow, and of the
keys the workflow's audit records hold; the workflow's own actions are labelled by its rules
table (core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.risks.models import AssessmentKind

labels.register_audit(
    {
        "risk.matrix_save": _("保存风险矩阵"),
        "risk.candidate_dismiss": _("排除风险线索"),
        "risk.view_personal": _("查看风险相关人信息"),
        "risk.policy_update": _("修改分级处置时限"),
    }
)
labels.register_audit_fields(
    "risks.risk",
    {"likelihood": _("可能性"), "impact": _("影响程度"), "kind": _("评估类型")},
    choices={"kind": dict(AssessmentKind.choices)},
)
