"""Labels of what the targets services record in the audit trail outside the report workflow
(core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.targets.models import Effect

labels.register_audit(
    {
        "targets.plan.import": _("导入考核方案"),
        "targets.plan.rule": _("设置评分规则"),
        "targets.assignment.add": _("新增任务分解"),
        "targets.assignment.split": _("分解到街道"),
        "targets.assignment.remove": _("移除任务分解"),
        "targets.incident.record": _("认定负面清单事项"),
        "targets.incident.withdraw": _("撤销负面清单认定"),
        "targets.reminders": _("发送目标任务预警"),
    }
)
labels.register_audit_fields(
    "targets.plan",
    {
        "tasks": _("任务数"),
        "milestones": _("节点数"),
        "negative_items": _("负面清单项数"),
        "file": _("文件名"),
        "sha256": _("文件校验码"),
        "due_soon": _("即将到期节点数"),
        "overdue": _("逾期节点数"),
    },
)
labels.register_audit_fields(
    "targets.assignment", {"assignee": _("责任主体"), "streets": _("分解到街道")}
)
labels.register_audit_fields(
    "targets.incident",
    {
        "effect": _("处理方式"),
        "points": _("扣分"),
        "assignee": _("责任主体"),
        "reason": _("撤销理由"),
    },
    choices={"effect": dict(Effect.choices)},
)
