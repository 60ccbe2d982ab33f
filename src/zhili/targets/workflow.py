"""The rules table of a progress report (进展报告): the assignee reports, the level above reviews.

- 报送 (``submit``), from 未报送 or, after a return, from 已退回: ``targets.report.submit`` over the
  assignee's area, or ``submit_own`` for the user's own unit (the unit's reporter);
- 通过 / 退回 (``accept`` / ``return``): ``targets.report.review`` over the level above the
  assignee (``review_path``: the plan's area for units and districts, the district for its
  streets' shares) — never the assignee's own level, and never one's own submission;
- nothing moves once the plan is closed.

``core.workflow.Workflow.transition`` does the 404 / 409 / 403 in that order; the services only
apply the step (``targets.services.report_submit`` / ``report_review``).
"""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.scoping import can
from zhili.core.workflow import Rule, Workflow
from zhili.targets.models import AssignmentKind, Report, ReportEvent, ReportStatus, own_unit_id
from zhili.targets.scoring import key_of, scores_recompute

SUBMIT, ACCEPT, RETURN = "submit", "accept", "return"
REVIEW = (ACCEPT, RETURN)


def review_path(report: Report) -> str:
    """Where the reviewer's right must reach: the level above the assignee."""
    parent = report.assignment.parent
    return parent.area_path if parent is not None else report.plan.area.path


def _own_unit(actor: Any, report: Report) -> bool:
    return report.unit_id is not None and own_unit_id(actor, Report, "submit") == report.unit_id


def _reviews_above(actor: Any, report: Report) -> bool:
    return can(actor, "review", Report, review_path(report))


def _plan_closed(actor: Any, report: Report) -> str | None:
    plan = report.plan
    return (
        None if plan.is_active else gettext("%(title)s已结束，不能再修改") % {"title": plan.title}
    )


def _not_own_submission(actor: Any, report: Report) -> str | None:
    closed = _plan_closed(actor, report)
    if closed:
        return closed
    # ``events`` may be prefetched (the cell's page): read them from there, in order.
    submits = [e for e in report.events.all() if e.action == SUBMIT]
    if submits and submits[-1].actor_id == getattr(actor, "pk", None):
        return gettext("不能审核自己报送的报告")
    return None


def _scores(report: Report, event: ReportEvent) -> None:
    """A decision moves the assignee's score; a street's share counts through its district."""
    if event.action in REVIEW and report.assignment.kind != AssignmentKind.STREET:
        scores_recompute(plan=report.plan, keys=[key_of(report.assignment)])


RULES = {
    SUBMIT: Rule(
        _("报送"),
        sources=(ReportStatus.PENDING, ReportStatus.RETURNED),
        permission="submit",
        target=ReportStatus.SUBMITTED,
        also=_own_unit,
        guard=_plan_closed,
    ),
    ACCEPT: Rule(
        pgettext_lazy("review", "通过"),
        sources=(ReportStatus.SUBMITTED,),
        permission="review",
        target=ReportStatus.ACCEPTED,
        also=_reviews_above,
        only_also=True,
        guard=_not_own_submission,
    ),
    RETURN: Rule(
        _("退回"),
        sources=(ReportStatus.SUBMITTED,),
        permission="review",
        target=ReportStatus.RETURNED,
        also=_reviews_above,
        only_also=True,
        guard=_not_own_submission,
    ),
}

REPORTS = Workflow(
    model=Report,
    event_model=ReportEvent,
    rules=RULES,
    noun=_("任务节点"),
    audit_prefix="targets.report",
    status_labels=dict(ReportStatus.choices),
    lock_related=("plan", "plan__area", "assignment", "assignment__parent", "milestone"),
    not_found_code="not_holder",
    after_event=_scores,
)


def describe(event: ReportEvent) -> str:
    """“退回后重新报送；佐证材料 2 份；业务日期 2021-03-31” from the event's data."""
    parts = []
    if event.action == SUBMIT and event.from_status == ReportStatus.RETURNED:
        parts.append(str(_("退回后重新报送")))
    files = event.data.get("files") or []
    if files:
        parts.append(str(_("佐证材料 %(n)d 份") % {"n": len(files)}))
    if event.on and event.at and event.on != timezone.localdate(event.at):
        parts.append(str(_("业务日期 %(day)s") % {"day": formats.date_format(event.on, "Y-m-d")}))
    return "；".join(parts)


labels.register_describer(REPORTS.kind, describe)
