"""The legal review's rules table: only the adviser the review is assigned to decides it
(``only_also``: an area right alone is not enough, the opinion carries the adviser's name)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from zhili.core.scoping import can
from zhili.core.workflow import Rule, Workflow
from zhili.legal.models import Review, ReviewEvent, ReviewStatus


def is_assigned_adviser(actor: Any, review: Review) -> bool:
    pk = getattr(actor, "pk", None)
    return (
        pk is not None
        and review.adviser.user_id == pk
        and can(actor, "decide", Review, review.area_path)
    )


def _decide(label: Any, target: str) -> Rule:
    return Rule(
        label,
        (ReviewStatus.REQUESTED,),
        "decide",
        target=target,
        also=is_assigned_adviser,
        only_also=True,
    )


RULES = {
    "approve": _decide(_("审查通过"), ReviewStatus.APPROVED),
    "object": _decide(_("提出修改意见"), ReviewStatus.OBJECTED),
}

REVIEWS = Workflow(
    model=Review,
    event_model=ReviewEvent,
    rules=RULES,
    noun=_("法律审查"),
    audit_prefix="legal.review",
    status_labels=dict(ReviewStatus.choices),
    lock_related=("adviser",),
    extra_labels={"request": _("送审")},
)
