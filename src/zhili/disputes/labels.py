"""Labels of the keys the disputes workflow's audit records hold (its actions are labelled by
its rules table, core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit_fields(
    "disputes.dispute",
    {
        "session": _("调解记录"),
        "mediator_name": _("调解员姓名"),
        "days": _("天数"),
        "hours": _("小时数"),
        "at": _("调解时间"),
        "place": _("调解地点"),
        "on": _("司法确认日期"),
        "returned_to": _("退回至"),
        "due": _("调解期限"),
        "confirmation_due": _("司法确认申请期限"),
        "candidate": _("风险线索"),
        "committee": _("调解委员会"),
        "mediator": _("调解员"),
        "channel": _("案件来源"),
    },
)
