"""The state changes of a progress report's steps, shared by the services (``report_submit`` /
``report_review``, through ``Workflow.transition``) and the bulk loader of a past season
(``targets.bulk.Season``), so both write the same report, event and audit rows.

Each function works on the (locked) report and returns what the step's event records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed
from zhili.targets.models import Evidence, Report
from zhili.targets.workflow import RETURN, REVIEW

MAX_TEXT = 5000


def clean(text: str, *, what: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            gettext("%(what)s不能超过 %(limit)s 字") % {"what": what, "limit": MAX_TEXT},
            code="too_long",
        )
    return text


def submit_text(text: str) -> str:
    """The progress text of a submission, or the reason it is refused."""
    text = clean(text, what=gettext("进展情况"))
    if not text:
        raise ValidationFailed(gettext("请填写进展情况"), code="text_required")
    return text


def review_comment(decision: str, comment: str) -> str:
    """The reviewer's comment, or the reason the decision is refused."""
    if decision not in REVIEW:
        raise ValidationFailed(gettext("审核结论须为“通过”或“退回”"), code="invalid_decision")
    comment = clean(comment, what=gettext("审核意见"))
    if decision == RETURN and not comment:
        raise ValidationFailed(gettext("退回时请写明退回理由"), code="comment_required")
    return comment


def require_evidence(report: Report, kept: Sequence[Evidence], uploads: Sequence[Any]) -> None:
    if report.milestone.evidence and not (kept or uploads):
        raise ValidationFailed(
            gettext("该节点要求提供佐证材料：%(evidence)s")
            % {"evidence": report.milestone.evidence},
            code="evidence_required",
        )


def submit(
    report: Report, now: dt.datetime, *, text: str, files: Sequence[Evidence], on: dt.date | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """报送: the report's new text and times; returns the event's ``data`` and own fields."""
    day = on or report.plan.clock()
    report.text = text
    report.first_submitted_at = report.first_submitted_at or now
    report.submitted_at, report.submitted_on = now, day
    return {"files": [f.sha256 for f in files], "on": day.isoformat()}, {"on": day}


def review(
    report: Report, now: dt.datetime, *, decision: str, on: dt.date | None
) -> dict[str, Any]:
    """通过 / 退回: the decision's time (and one more return); returns the event's own fields."""
    report.decided_at = now
    if decision == RETURN:
        report.returns += 1
    return {"on": on or report.plan.clock()}


def distinct(files: Sequence[Evidence]) -> list[Evidence]:
    """Each evidence file once, in the order first given (kept ones, then new uploads)."""
    return list({f.pk: f for f in files}.values())
