"""Retention (issue 18): the reporter's name and phone of matters that ended more than N years
ago are blanked by `zhili anonymise_closed`; a dry run only counts; nothing else changes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from zhili.core.models import AuditEvent
from zhili.matters.models import Matter, Status
from zhili.matters.retention import anonymise_closed, cutoff_for
from zhili.testing.factories import make_matter

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def aged(status: str, years_ago: float, *, closed: bool = True) -> Any:
    m = make_matter(reporter_name="王五", reporter_phone="13812345678")
    when = NOW - dt.timedelta(days=365.25 * years_ago)
    Matter._base_manager.filter(pk=m.pk).update(
        status=status, closed_at=when if closed else None, created_at=when
    )
    return m


def personal(m: Any) -> tuple[str, str]:
    m.refresh_from_db()
    return m.reporter_name, m.reporter_phone


@pytest.fixture
def cases() -> dict[str, Any]:
    return {
        "closed_old": aged(Status.CLOSED, 6),
        "rated_old": aged(Status.RATED, 7),
        "rejected_old": aged(Status.REJECTED, 6, closed=False),
        "closed_recent": aged(Status.CLOSED, 4),
        "open_old": aged(Status.HANDLING, 8, closed=False),
    }


def test_a_dry_run_counts_and_changes_nothing(cases: dict[str, Any]) -> None:
    ended_before = (
        Matter._base_manager.filter(
            status__in=[Status.CLOSED, Status.RATED, Status.REJECTED, Status.MERGED],
            closed_at__lt=cutoff_for(5, NOW),
        ).count()
        + Matter._base_manager.filter(
            status__in=[Status.CLOSED, Status.RATED, Status.REJECTED, Status.MERGED],
            closed_at__isnull=True,
            created_at__lt=cutoff_for(5, NOW),
        ).count()
    )
    out = anonymise_closed(years=5, dry_run=True, now=NOW)
    assert out.ended_before == ended_before >= 3
    assert out.to_anonymise == 3  # the three old ended matters of the fixture
    assert out.anonymised == 0
    assert all(personal(m) == ("王五", "13812345678") for m in cases.values())
    assert not AuditEvent.objects.filter(action="matter.anonymise").exists()


def test_anonymising_blanks_only_old_ended_matters(cases: dict[str, Any]) -> None:
    out = anonymise_closed(years=5, now=NOW)
    assert out.anonymised == 3
    for name in ("closed_old", "rated_old", "rejected_old"):
        assert personal(cases[name]) == ("", ""), name
    for name in ("closed_recent", "open_old"):
        assert personal(cases[name]) == ("王五", "13812345678"), name
    event = AuditEvent.objects.get(action="matter.anonymise")
    assert event.after["matters"] == 3
    again = anonymise_closed(years=5, now=NOW)
    assert (again.to_anonymise, again.anonymised) == (0, 0)


@override_settings(ZHILI_RETENTION_YEARS=3)
def test_the_command_reads_the_setting_and_reports(cases: dict[str, Any]) -> None:
    dry = io.StringIO()
    call_command("anonymise_closed", "--dry-run", stdout=dry)
    assert "保留 3 年" in dry.getvalue() and "仍有诉求人信息 4 件" in dry.getvalue()
    assert "试运行" in dry.getvalue()
    assert personal(cases["closed_recent"]) == ("王五", "13812345678")
    done = io.StringIO()
    call_command("anonymise_closed", stdout=done)
    assert "已匿名化 4 件" in done.getvalue()
    assert personal(cases["closed_recent"]) == ("", "")
    assert personal(cases["open_old"]) == ("王五", "13812345678")
