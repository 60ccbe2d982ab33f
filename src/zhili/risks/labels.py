"""Labels of the keys the risks workflow's audit records hold (its actions, and the audit actions
of the register's other writes, are labelled beside the rules table)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.risks.models import AssessmentKind

labels.register_audit_fields(
    "risks.risk",
    {"likelihood": _("可能性"), "impact": _("影响程度"), "kind": _("评估类型")},
    choices={"kind": dict(AssessmentKind.choices)},
)
