"""A past season of progress written in bulk: the rows ``services.report_submit`` and
``services.report_review`` write for a loader (``on=``, the business date), without a dozen
queries per step.

``Season`` has those services' signatures, so a loader's story runs on either. Each call runs the
step as ``core.workflow.Workflow.transition`` does for the reports' rules table
(``targets.workflow.REPORTS``): the same source states, rights (``Workflow.may``: the rule's
permission over the report's area, or the rule's other right) and guard (a plan that has ended,
a reviewer reviewing their own submission), the same state change (``targets.steps``), the same
event with its evidence links, the same audit record and the same score recomputation. The report
rows are kept in memory between steps; ``flush`` writes them, the events, the evidence links and
the audit records a table at a time, then recomputes the scores the decisions moved (at the end
of a surrounding ``scores_deferred`` block, as the services' hook does).

Not done per step, as the services do: the 404 of a report out of the actor's scope (the rights
check stands for it: a loader's actors hold their rights where their reports are) and the notices
to reviewers (a loader replaying a past season passes ``on`` and the services notify nobody then).
``targets/tests/test_bulk.py`` lives the demo's season through the services and through a
``Season`` and compares every row they write.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from zhili.core.audit import audit_event
from zhili.core.errors import Conflict, PermissionDenied
from zhili.core.models import AuditEvent
from zhili.targets import steps
from zhili.targets.evidence import Upload, evidence_store
from zhili.targets.evidence import check as evidence_check
from zhili.targets.models import Evidence, Report, ReportEvent, ReportStatus
from zhili.targets.scoring import scores_deferred
from zhili.targets.workflow import REPORTS, REVIEW, SUBMIT

EVENT_EVIDENCE = ReportEvent.evidence.through
# What a step changes on the report row (``Workflow.transition`` saves the whole row; the other
# columns do not move).
CHANGED = [
    "status",
    "version",
    "text",
    "first_submitted_at",
    "submitted_at",
    "submitted_on",
    "decided_at",
    "returns",
]


class Season:
    """Report steps of a past season, kept in memory and written by ``flush``."""

    def __init__(self) -> None:
        self.reports: dict[int, Report] = {}
        self.last_submit: dict[int, tuple[int | None, list[Evidence]]] = {}  # (actor id, files)
        self.evidence: dict[str, Evidence] = {}  # by SHA-256: stored once, as evidence_store does
        self.events: list[tuple[ReportEvent, list[Evidence]]] = []
        self.audits: list[AuditEvent] = []

    # The services' signatures ------------------------------------------------------------------

    def report_submit(
        self,
        *,
        actor: Any,
        report: Report,
        text: str,
        uploads: list[Upload] | None = None,
        keep_previous: bool = True,
        on: dt.date | None = None,
    ) -> Report:
        text = steps.submit_text(text)
        uploads = uploads or []
        evidence_check(uploads)
        locked = self._check(actor, report, SUBMIT)
        kept: list[Evidence] = []
        if (
            keep_previous
            and locked.status == ReportStatus.RETURNED
            and locked.pk in self.last_submit
        ):
            kept = self.last_submit[locked.pk][1]
        steps.require_evidence(locked, kept, uploads)
        files = steps.distinct(kept + self._store(actor, uploads))
        now = timezone.now()
        before = locked.status
        data, fields = steps.submit(locked, now, text=text, files=files, on=on)
        self._step(
            actor, locked, SUBMIT, before, now, note=text, data=data, fields=fields, files=files
        )
        self.last_submit[locked.pk] = (getattr(actor, "pk", None) or None, files)
        return locked

    def report_review(
        self,
        *,
        actor: Any,
        report: Report,
        decision: str,
        comment: str = "",
        on: dt.date | None = None,
    ) -> Report:
        comment = steps.review_comment(decision, comment)
        locked = self._check(actor, report, decision)
        now = timezone.now()
        before = locked.status
        fields = steps.review(locked, now, decision=decision, on=on)
        self._step(actor, locked, decision, before, now, note=comment, data=None, fields=fields)
        return locked

    # The transition ----------------------------------------------------------------------------

    def _check(self, actor: Any, report: Report, action: str) -> Report:
        """The report as the previous steps left it; 409 and 403 as ``Workflow.check``."""
        locked = self.reports.get(report.pk)
        if locked is None:
            # The steps before this season are in the database, not here: start from scratch.
            if report.version or report.status != ReportStatus.PENDING:
                raise Conflict("批量载入只能从未报送的节点开始", code="not_pending")
            locked = copy.copy(report)
        rule = REPORTS.rules[action]
        if locked.status not in rule.sources:
            raise Conflict(
                f"当前状态为“{locked.get_status_display()}”，不能{rule.label}",
                code="illegal_transition",
            )
        if not REPORTS.may(actor, action, locked):
            raise PermissionDenied(f"您无权对该任务节点执行“{rule.label}”", code="forbidden")
        # The rules' guards (targets.workflow), on the steps kept here rather than the events.
        if not locked.plan.is_active:
            raise PermissionDenied(f"{locked.plan.title}已结束，不能再修改", code="refused")
        last = self.last_submit.get(locked.pk)
        if action in REVIEW and last is not None and last[0] == getattr(actor, "pk", None):
            raise PermissionDenied("不能审核自己报送的报告", code="refused")
        self.reports[locked.pk] = locked
        return locked

    def _store(self, actor: Any, uploads: list[Upload]) -> list[Evidence]:
        stored = []
        for up in uploads:
            digest = hashlib.sha256(up.data).hexdigest()
            if digest not in self.evidence:
                (self.evidence[digest],) = evidence_store(actor=actor, uploads=[up])
            stored.append(self.evidence[digest])
        return stored

    def _step(
        self,
        actor: Any,
        locked: Report,
        action: str,
        before: str,
        now: dt.datetime,
        *,
        note: str,
        data: dict[str, Any] | None,
        fields: dict[str, Any],
        files: list[Evidence] | None = None,
    ) -> None:
        locked.status = REPORTS.rules[action].target or locked.status
        locked.version += 1
        event = REPORTS.event_row(
            actor=actor,
            obj=locked,
            action=action,
            before=before,
            at=now,
            note=note,
            data=data,
            event_fields=fields,
        )
        self.events.append((event, files or []))
        audit = REPORTS.audit_fields(
            actor=actor, obj=locked, action=action, before=before, note=note, data=data
        )
        self.audits.append(audit_event(**audit))

    # Writing -----------------------------------------------------------------------------------

    @transaction.atomic
    def flush(self) -> dict[str, int]:
        """Write the steps taken since the last flush; returns rows written per table."""
        events = [e for e, _ in self.events]
        ReportEvent.objects.bulk_create(events, batch_size=500)
        links = [
            EVENT_EVIDENCE(reportevent_id=e.pk, evidence_id=f.pk)
            for e, files in self.events
            for f in files
        ]
        EVENT_EVIDENCE.objects.bulk_create(links, batch_size=500)
        AuditEvent.objects.bulk_create(self.audits, batch_size=500)
        rows = list(self.reports.values())
        self._update(rows)
        if REPORTS.after_event is not None:
            # The workflow's hook (the scores a decision moves), once per event as the services
            # run it, each score computed once at the end of the block.
            with scores_deferred():
                for e in events:
                    REPORTS.after_event(e.report, e)
        out = {
            "reports": len(rows),
            "events": len(events),
            "evidence_links": len(links),
            "audit": len(self.audits),
        }
        self.reports, self.last_submit, self.events, self.audits = {}, {}, [], []
        return out

    @staticmethod
    def _update(rows: list[Report]) -> None:
        """The reports' changed columns, one prepared UPDATE for all rows."""
        if not rows:
            return
        fields = [f for f in Report._meta.concrete_fields if f.name in CHANGED]
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(str(f.column))} = %s" for f in fields)
        sql = f"UPDATE {q(Report._meta.db_table)} SET {sets} WHERE {q('id')} = %s"
        params = [
            [*(f.get_db_prep_save(getattr(r, f.attname), connection) for f in fields), r.pk]
            for r in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
