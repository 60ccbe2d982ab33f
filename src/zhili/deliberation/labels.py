"""Labels of the keys the deliberation audit records hold (actions are labelled by the rules
tables, core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.deliberation.models import Assembly, LedgerKind, Proposer

COMMON = {
    "held_on": _("日期"),
    "due": _("应到人数"),
    "present": _("实到人数"),
    "votes_for": _("赞成"),
    "votes_against": _("反对"),
    "abstain": _("弃权"),
    "assembly": _("会议形式"),
    "witness_name": _("见证人"),
    "public_from": _("公开起始日"),
    "public_until": _("公开截止日"),
}
labels.register_audit_fields(
    "deliberation.deliberation", COMMON, choices={"assembly": dict(Assembly.choices)}
)
labels.register_audit({"deliberation.cap.set": _("设置一事一议筹资筹劳上限")})
labels.register_audit_fields(
    "deliberation.cap",
    {
        "year": _("年度"),
        "money": _("每人每年筹资上限（元）"),
        "labour_days": _("每人每年筹劳上限（工日）"),
    },
)
labels.register_audit_fields(
    "deliberation.project",
    {
        **COMMON,
        "proposer": _("提议方式"),
        "signers": _("联名人数"),
        "households": _("户数"),
        "canvassed": _("征求户数"),
        "agree": _("同意户数"),
        "reply_due": _("县级批复期限"),
        "approved": _("批准"),
        "late": _("逾期"),
        "money": _("筹资（元）"),
        "labour_days": _("筹劳（工日）"),
        "exempt": _("减免"),
        "kind": _("收支类别"),
        "kind_label": _("收支类别"),
        "amount": _("金额（元）"),
    },
    choices={
        "assembly": dict(Assembly.choices),
        "proposer": dict(Proposer.choices),
        "kind": dict(LedgerKind.choices),
    },
)
