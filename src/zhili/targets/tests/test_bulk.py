"""The bulk loader of a past season writes what the services write: the demo's season, lived
once through ``targets.services`` (one ``Workflow.transition`` per step) and once through
``targets.bulk.Season``, leaves the same rows — reports, events, evidence links, audit records,
evidence files, scores — and refuses the steps the services refuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from zhili.core.errors import Conflict, PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent, Notice
from zhili.core.system import system_user
from zhili.targets import demo
from zhili.targets.bulk import Season
from zhili.targets.evidence import Upload
from zhili.targets.models import (
    Assignment,
    AssignmentKind,
    Evidence,
    Report,
    ReportEvent,
    ReportStatus,
    Score,
)
from zhili.targets.scoring import scores_deferred

pytestmark = pytest.mark.django_db

TIMES = {"first_submitted_at", "submitted_at", "decided_at"}


def _values(model: Any, qs: Any, skip: set[str]) -> list[dict[str, Any]]:
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
    return list(qs.order_by("id").values(*names))


def snapshot(plan: Any) -> dict[str, Any]:
    """Every row a season writes, in the order written (ids and clock times aside: the times
    are checked against the events that set them)."""
    reports = Report.objects.filter(plan=plan)
    events = ReportEvent.objects.filter(report__plan=plan)
    for r in reports.exclude(status=ReportStatus.PENDING):
        steps = list(events.filter(report=r).order_by("id"))
        submits = [e for e in steps if e.action == "submit"]
        decisions = [e for e in steps if e.action in ("accept", "return")]
        assert r.submitted_at == submits[-1].at and r.first_submitted_at == submits[0].at
        assert r.decided_at == (decisions[-1].at if decisions else None)
        assert all(timezone.localdate(e.at) == timezone.localdate() for e in steps)
    return {
        "reports": _values(Report, reports, TIMES),
        "events": _values(ReportEvent, events, {"id", "at"}),
        "evidence_links": [
            (e.report_id, e.action, [f.sha256 for f in e.evidence.order_by("id")])
            for e in events.order_by("id").prefetch_related("evidence")
        ],
        "audit": _values(
            AuditEvent, AuditEvent.objects.filter(object_type="targets.report"), {"id", "at"}
        ),
        "evidence": _values(Evidence, Evidence.objects.all(), {"id", "uploaded_at"}),
        "scores": _values(Score, Score.objects.filter(plan=plan), {"id", "computed_at"}),
        "notices": Notice.objects.count(),
    }


def _tasks(plan: Any) -> set[int]:
    """The tasks with street shares (two levels of review) and a task 市公安局 leads (its demo
    account reports), plus the first: a tenth of the season."""
    shared = Assignment.objects.filter(plan=plan, kind=AssignmentKind.STREET)
    police = Assignment.objects.filter(plan=plan, kind=AssignmentKind.LEAD, unit__name="市公安局")
    return {a.task.seq for a in shared} | {police.order_by("task__seq").first().task.seq, 1}


def test_the_bulk_season_writes_the_rows_the_services_write(
    users: dict[str, Any], tmp_path: Path
) -> None:
    say = lambda _m: None  # noqa: E731
    with override_settings(DEBUG=True, MEDIA_ROOT=tmp_path):
        people = demo.demo_users()
        actor = system_user()
        with scores_deferred():
            plan = demo.plan_setup(people, actor, say)
        tasks = _tasks(plan)
        before = snapshot(plan)
        with transaction.atomic():
            with scores_deferred():
                demo._season(plan, people, actor, say, engine="services", tasks=tasks)
            by_services = snapshot(plan)
            transaction.set_rollback(True)
        assert snapshot(plan) == before
        with scores_deferred():
            demo._season(plan, people, actor, say, engine="bulk", tasks=tasks)
        by_bulk = snapshot(plan)

    for table, rows in by_services.items():
        assert by_bulk[table] == rows, table
    # The stories cover what the demo shows: returns, acceptances, submissions waiting, street
    # shares reviewed by their district, the police's own account, the system's reports.
    assert {e["action"] for e in by_services["events"]} == {"submit", "accept", "return"}
    assert {"jiefangbei", "yuzhong", "unit_gaj", "wanzhou", "office_zfw", "system"} <= {
        e["actor_name"] for e in by_services["events"]
    }
    statuses = {r["status"] for r in by_services["reports"]}
    assert {"accepted", "submitted", "pending"} <= statuses
    assert len(by_services["events"]) > 500
    assert by_services["scores"] != before["scores"]


def test_the_bulk_season_refuses_what_the_services_refuse(
    users: dict[str, Any], tmp_path: Path
) -> None:
    with override_settings(DEBUG=True, MEDIA_ROOT=tmp_path):
        people = demo.demo_users()
        with scores_deferred():
            plan = demo.plan_setup(people, system_user(), lambda _m: None)
    police = people["unit_gaj"]
    report = (
        Report.objects.filter(plan=plan, unit=police.unit, assignment__kind=AssignmentKind.LEAD)
        .select_related("plan", "plan__area", "milestone__task", "assignment__parent")
        .first()
    )
    other = Report.objects.filter(plan=plan, assignment__area__code="500101").first()
    files = [Upload("台账.pdf", demo._pdf("ledger"))]
    season = Season()
    with override_settings(MEDIA_ROOT=tmp_path):
        with pytest.raises(ValidationFailed):
            season.report_submit(actor=police, report=report, text=" ", uploads=files)
        with pytest.raises(Conflict):  # nothing submitted yet
            season.report_review(actor=people["office_zfw"], report=report, decision="accept")
        with pytest.raises(PermissionDenied):  # 万州区's report is not the police's
            season.report_submit(actor=police, report=other, text="完成", uploads=files)
        season.report_submit(actor=police, report=report, text="完成", uploads=files)
        with pytest.raises(PermissionDenied):  # not above the police
            season.report_review(actor=police, report=report, decision="accept")
        with pytest.raises(ValidationFailed):  # a return needs its reasons
            season.report_review(actor=people["office_zfw"], report=report, decision="return")
        season.report_review(actor=people["office_zfw"], report=report, decision="accept")
        with pytest.raises(Conflict):
            season.report_submit(actor=police, report=report, text="再报", uploads=files)
        written = season.flush()
    assert written == {"reports": 1, "events": 2, "evidence_links": 1, "audit": 2}
    report.refresh_from_db()
    assert (report.status, report.version) == (ReportStatus.ACCEPTED, 2)
    with pytest.raises(Conflict):  # a loader starts from pending reports only
        Season().report_submit(actor=police, report=report, text="完成", uploads=files)
