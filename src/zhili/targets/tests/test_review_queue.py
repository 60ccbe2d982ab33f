"""考核办's 待审核 queue and the notice a submission sends to its reviewers."""

from __future__ import annotations

from typing import Any

from zhili.core.models import Notice
from zhili.targets import selectors, services
from zhili.targets.evidence import Upload
from zhili.targets.models import Report

from .conftest import PDF


def _report(plan: Any, unit: str, number: str) -> Report:
    return (
        Report.objects.filter(plan=plan, unit__name=unit, milestone__task__number=number)
        .order_by("milestone__due")
        .first()
    )


def test_a_submission_reaches_the_office_queue_with_a_notice(
    small_plan: Any, users: dict[str, Any], office: Any, login: Any
) -> None:
    plan = small_plan()
    gaj = users["unit_gaj"]
    r = _report(plan, "市公安局", "3")
    assert selectors.review_queue(office) == []
    services.report_submit(actor=gaj, report=r, text="联网 80%", uploads=[Upload("台账.pdf", PDF)])
    assert [x.pk for x in selectors.review_queue(office)] == [r.pk]
    assert selectors.review_queue(gaj) == []  # the reporter does not review
    notice = Notice.objects.get(recipient=office, kind="targets.report_submitted")
    assert "3" in notice.title and notice.url.endswith(f"/c/{r.assignment_id}/")
    assert not Notice.objects.filter(recipient=gaj, kind="targets.report_submitted").exists()
    page = login("office_zfw").get("/targets/review/")
    assert page.status_code == 200 and "待审核的进展报告（1）" in page.content.decode()
    # Reviewed: out of the queue.
    services.report_review(actor=office, report=r, decision="accept", comment="同意")
    assert selectors.review_queue(office) == []
    # A return and a new submission notify again (a new version).
    r2 = _report(plan, "市公安局", "1")
    services.report_submit(actor=gaj, report=r2, text="第一次", uploads=[Upload("a.pdf", PDF)])
    services.report_review(actor=office, report=r2, decision="return", comment="补充")
    services.report_submit(actor=gaj, report=r2, text="第二次", uploads=[Upload("b.pdf", PDF)])
    assert Notice.objects.filter(recipient=office, kind="targets.report_submitted").count() == 3


def test_the_queue_entry_shows_only_to_reviewers(login: Any) -> None:
    assert "/targets/review/" in login("office_zfw").get("/").content.decode()
    assert "/targets/review/" not in login("unit_gaj").get("/").content.decode()
