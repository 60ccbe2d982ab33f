"""Labels of the audit actions and keys the compounds services write outside the rules table."""

from django.utils.translation import gettext_lazy as _

from zhili.compounds.models import Coverage, MeetingKind
from zhili.core import labels

labels.register_audit(
    {
        "compound.create": _("老旧小区 · 登记"),
        "compound.update": _("老旧小区 · 修改"),
        "meeting.create": _("联席会议 · 记录会议"),
        "meeting.link_matter": _("联席会议 · 关联诉求"),
    }
)
labels.register_audit_fields(
    "compounds.compound",
    {"area": _("所属社区/网格")},
    choices={"coverage": dict(Coverage.choices)},
)
labels.register_audit_fields(
    "compounds.meeting",
    {
        "parties": _("参会方"),
        "shares": _("费用分摊"),
        "attendees": _("参会人数"),
        "matter": _("关联诉求"),
        "compound": _("小区"),
    },
    choices={"kind": dict(MeetingKind.choices)},
)
labels.register_audit_fields(
    "compounds.followup",
    {"owner": _("责任方"), "due": _("完成时限"), "result": _("完成情况")},
)
