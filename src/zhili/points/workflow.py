"""The rules tables of a recorded civic act and of a shop order.

A record is approved by someone other than its scorer (``guard``), then shown publicly for the
village's objection window; the system counts it when the window has passed without an open
objection (``count``: the transfer budget → household is posted in the same transaction). An
order is a hold on the household's points: picked up (posted), cancelled (voided) or expired.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core.workflow import Rule, Workflow
from zhili.points.models import Order, OrderEvent, OrderStatus, Record, RecordEvent, RecordStatus

R = RecordStatus
O = OrderStatus  # noqa: E741


def not_the_scorer(actor: Any, record: Record) -> str | None:
    if getattr(actor, "pk", None) == record.recorded_by_id:
        return gettext("审核人不能是记录人本人：评分与审核须由不同的人完成")
    return None


RECORD_RULES: dict[str, Rule] = {
    "approve": Rule(_("审核通过"), (R.RECORDED,), "approve", target=R.PUBLIC, guard=not_the_scorer),
    "reject": Rule(
        _("审核不通过"), (R.RECORDED,), "approve", target=R.REJECTED, guard=not_the_scorer
    ),
    "object": Rule(_("提出异议"), (R.PUBLIC,), "object", target=R.OBJECTED),
    "uphold": Rule(_("异议成立"), (R.OBJECTED,), "resolve", target=R.REJECTED),
    "dismiss": Rule(_("异议不成立"), (R.OBJECTED,), "resolve", target=R.PUBLIC),
    "appeal": Rule(_("申诉"), (R.REJECTED,), "object", target=R.OBJECTED),
    "count": Rule(_("公示期满计入"), (R.PUBLIC,), "approve", target=R.COUNTED, system=True),
}

RECORD_WORKFLOW = Workflow(
    model=Record,
    event_model=RecordEvent,
    rules=RECORD_RULES,
    noun=_("积分记录"),
    audit_prefix="points_record",
    status_labels={s.value: s.label for s in RecordStatus},
    lock_related=("household",),
    extra_labels={"record": _("记录积分")},
)

ORDER_RULES: dict[str, Rule] = {
    "pickup": Rule(_("领取"), (O.HELD,), "pickup", target=O.PICKED_UP),
    "cancel": Rule(_("取消兑换"), (O.HELD,), "cancel", target=O.CANCELLED),
    "expire": Rule(_("超时未领取"), (O.HELD,), "pickup", target=O.EXPIRED, system=True),
}

ORDER_WORKFLOW = Workflow(
    model=Order,
    event_model=OrderEvent,
    rules=ORDER_RULES,
    noun=_("兑换单"),
    audit_prefix="points_order",
    status_labels={s.value: s.label for s in OrderStatus},
    lock_related=("household", "goods"),
    extra_labels={"redeem": _("下单兑换")},
)
