"""Progress records on the kernel: immutable at every level, labelled in Chinese everywhere, and
every step a transition that checks the caller's version."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from zhili.core import labels
from zhili.core.errors import Conflict
from zhili.core.events import AppendOnlyError
from zhili.core.models import AuditEvent
from zhili.targets import services
from zhili.targets.evidence import Upload
from zhili.targets.models import Report, ReportEvent
from zhili.targets.workflow import REPORTS

from .conftest import PDF

KIND = "targets.reportevent"


def _report(plan: Any, unit: str = "市公安局", number: str = "3") -> Report:
    return (
        Report.objects.filter(plan=plan, unit__name=unit, milestone__task__number=number)
        .order_by("milestone__due")
        .first()
    )


def _returned_and_resubmitted(plan: Any, users: dict[str, Any]) -> Report:
    r = _report(plan)
    gaj, office = users["unit_gaj"], users["office_zfw"]
    services.report_submit(actor=gaj, report=r, text="已联网", uploads=[Upload("a.pdf", PDF)])
    services.report_review(actor=office, report=r, decision="return", comment="补充照片")
    services.report_submit(actor=gaj, report=r, text="已补充", uploads=[])
    return r


def test_every_label_of_a_report_event_is_readable(small_plan: Any, users: dict[str, Any]) -> None:
    actions = labels.actions(KIND)
    assert set(actions) == set(REPORTS.rules) == {"submit", "accept", "return"}
    for code, label in actions.items():
        assert labels.is_readable(label), code
        assert labels.is_readable(labels.audit_label(f"targets.report.{code}")), code
    for status in ("pending", "submitted", "returned", "accepted"):
        assert labels.is_readable(labels.status_label(KIND, status)), status
    # Every audit action the module writes has a label too.
    r = _returned_and_resubmitted(small_plan(), users)
    services.report_review(actor=users["office_zfw"], report=r, decision="accept")
    written = set(
        AuditEvent.objects.filter(action__startswith="targets.").values_list("action", flat=True)
    )
    assert {"targets.plan.import", "targets.report.return", "targets.report.accept"} <= written
    for action in written:
        assert labels.is_readable(labels.audit_label(action)), action
    # And every event's summary is words, not data.
    resubmitted = r.events.order_by("id")[2]
    assert resubmitted.summary == "退回后重新报送；佐证材料 1 份"
    assert not re.search(r"[a-z]{3,}", "".join(e.summary for e in r.events.all()))


def test_the_history_shows_labels_and_names_never_codes(
    small_plan: Any, users: dict[str, Any], login: Any
) -> None:
    plan = small_plan()
    r = _returned_and_resubmitted(plan, users)
    page = login("office_zfw").get(f"/targets/{plan.pk}/c/{r.assignment_id}/").content.decode()
    history = page[page.index(">", page.index(f'id="report-{r.pk}"')) + 1 :]
    history = history[: history.index("</ul>")]
    # What a reader sees: without tags and attributes.
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", history))
    for words in (
        "市公安局目标任务填报员 · 报送",
        "市委政法委考核办干部 · 退回",
        "退回后重新报送",
        "补充照片",
    ):
        assert words in text, words
    for code in ("submit", "return", "returned", "pending", "submitted", "unit_gaj"):
        assert not re.search(rf"\b{code}\b", text), code


def test_report_events_are_append_only_at_every_level(
    small_plan: Any, users: dict[str, Any]
) -> None:
    r = _returned_and_resubmitted(small_plan(), users)
    event = r.events.order_by("id").first()
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ReportEvent.objects.filter(pk=event.pk).update(note="改写历史")
    with pytest.raises(AppendOnlyError):
        ReportEvent.objects.filter(report=r).delete()
    for sql in (
        "UPDATE targets_reportevent SET note = 'x' WHERE id = %s",
        "DELETE FROM targets_reportevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert ReportEvent.objects.get(pk=event.pk).note == "已联网"
    assert r.events.count() == 3


def test_a_stale_version_changes_nothing(
    small_plan: Any, users: dict[str, Any], login: Any, client: Any, bearer: Any
) -> None:
    plan = small_plan()
    r = _report(plan)
    gaj = users["unit_gaj"]
    with pytest.raises(Conflict, match="已被他人更新"):
        services.report_submit(
            actor=gaj, report=r, text="x", uploads=[Upload("a.pdf", PDF)], version=5
        )
    # The page's form carries the version it was drawn with; a second tab's post is refused.
    page = login("unit_gaj").get(f"/targets/{plan.pk}/c/{r.assignment_id}/").content.decode()
    assert re.search(
        rf'<input type="hidden" name="version" value="0"[^>]* id="r{r.pk}_version">', page
    )
    services.report_submit(
        actor=gaj, report=r, text="第一次", uploads=[Upload("a.pdf", PDF)], version=0
    )
    services.report_review(
        actor=users["office_zfw"], report=r, decision="return", comment="补", version=1
    )
    stale = login("unit_gaj").post(
        f"/targets/reports/{r.pk}/submit/", {"text": "第二个窗口", "version": "1"}
    )
    assert stale.status_code == 422 and "已被他人更新" in stale.content.decode()
    api = client.post(
        f"/api/v1/targets/reports/{r.pk}/submit",
        {"text": "接口", "version": "1"},
        headers=bearer("unit_gaj"),
    )
    assert api.status_code == 409 and api.json()["code"] == "version_conflict"
    r.refresh_from_db()
    assert (r.status, r.version, r.events.count()) == ("returned", 2, 2)
    ok = client.post(
        f"/api/v1/targets/reports/{r.pk}/submit",
        {"text": "接口", "version": "2"},
        headers=bearer("unit_gaj"),
    )
    assert ok.status_code == 200 and ok.json()["version"] == 3
    assert ok.json()["actions"] == []  # it waits for the office now
