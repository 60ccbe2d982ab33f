"""一事一议: proposal thresholds, the vote's rules, the county's reply within 7 working days
across National Day 2026 (with its 调休 Saturday), the per-person cap and exemptions, the 70 %
matching-grant threshold, and the book recomputed from its rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.deliberation import selectors, services
from zhili.deliberation.models import Assembly, Cap, Contribution, LedgerEntry, ProjectStatus
from zhili.deliberation.rules import Tally
from zhili.testing import factories as f

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _project(secretary: Any, community: Any, **kw: Any) -> Any:
    base = dict(
        actor=secretary,
        area=community,
        title="民生路便民步道硬化",
        purpose="road",
        description="硬化步道 300 米",
        proposer="committee",
        villagers=100,
        budget="60000",
        money_per_person="20",
        labour_per_person="2",
        year=2026,
    )
    return services.project_create(**{**base, **kw})


def _approved(secretary: Any, community: Any, **kw: Any) -> Any:
    p = _project(secretary, community, **kw)
    p = services.project_notice(
        actor=secretary,
        project=p,
        notice_from=dt.date(2026, 9, 1),
        notice_until=dt.date(2026, 9, 7),
    )
    p = services.project_canvass(actor=secretary, project=p, households=40, canvassed=38, agree=33)
    p = services.project_vote(
        actor=secretary,
        project=p,
        assembly=Assembly.REPRESENTATIVES,
        tally=Tally(due=15, present=10, votes_for=6),
        held_on=dt.date(2026, 9, 20),
    )
    p = services.project_township(
        actor=f.user("jiefangbei"), project=p, approve=True, at=_at(dt.date(2026, 9, 29))
    )
    return services.project_reply(
        actor=f.user("yuzhong"), project=p, approved=True, at=_at(dt.date(2026, 10, 12))
    )


def test_proposal_thresholds(secretary: Any, community: Any) -> None:
    with pytest.raises(ValidationFailed, match="至少须 10 人"):
        _project(secretary, community, proposer="villagers", signers=9)
    assert _project(secretary, community, proposer="villagers", signers=10).signers == 10
    with pytest.raises(ValidationFailed, match="至少须 3 人"):
        _project(secretary, community, proposer="representatives", signers=2, representatives=15)
    assert _project(secretary, community, proposer="representatives", signers=3, representatives=15)


def test_per_person_plan_within_the_cap(secretary: Any, community: Any) -> None:
    with pytest.raises(ValidationFailed, match=r"超过上限 20\.00 元"):
        _project(secretary, community, money_per_person="20.01")
    # The district sets its own cap: the most specific row applies.
    Cap.objects.create(
        area=f.area(f.YUZHONG),
        area_path=f.area(f.YUZHONG).path,
        year=2026,
        money=Decimal(15),
        labour_days=Decimal(5),
    )
    with pytest.raises(ValidationFailed, match=r"超过上限 15\.00 元"):
        _project(secretary, community, money_per_person="16")


def test_county_reply_due_in_7_working_days_across_national_day(
    secretary: Any, community: Any
) -> None:
    p = _project(secretary, community)
    p = services.project_notice(
        actor=secretary,
        project=p,
        notice_from=dt.date(2026, 9, 1),
        notice_until=dt.date(2026, 9, 7),
    )
    p = services.project_canvass(actor=secretary, project=p, households=40, canvassed=38, agree=33)
    with pytest.raises(ValidationFailed, match="不足应到代表 15 人的三分之二"):
        services.project_vote(
            actor=secretary,
            project=p,
            assembly=Assembly.REPRESENTATIVES,
            tally=Tally(due=15, present=9, votes_for=9),
            held_on=dt.date(2026, 9, 20),
        )
    p = services.project_vote(
        actor=secretary,
        project=p,
        assembly=Assembly.REPRESENTATIVES,
        tally=Tally(due=15, present=10, votes_for=6),
        held_on=dt.date(2026, 9, 20),
    )
    with pytest.raises(PermissionDenied):
        services.project_township(actor=secretary, project=p, approve=True)  # the township reviews
    # Submitted Tue 29 Sep 2026: 30 Sep (1), 1–7 Oct National Day, 8 (2), 9 (3), Sat 10 Oct is a
    # 调休 working day (4), Sun 11 off, 12 (5), 13 (6), 14 (7). Without the 调休 it would be the 15th.
    p = services.project_township(
        actor=f.user("jiefangbei"), project=p, approve=True, at=_at(dt.date(2026, 9, 29))
    )
    assert p.status == ProjectStatus.SUBMITTED
    assert timezone.localtime(p.reply_due).date() == dt.date(2026, 10, 14)
    with pytest.raises(PermissionDenied):
        services.project_reply(
            actor=f.user("jiefangbei"), project=p, approved=True
        )  # the county replies
    late = services.project_reply(
        actor=f.user("yuzhong"), project=p, approved=True, at=_at(dt.date(2026, 10, 15))
    )
    assert late.status == ProjectStatus.APPROVED
    assert late.events.get(action="reply").data["late"] is True


def test_reply_on_the_last_day_is_on_time(secretary: Any, community: Any) -> None:
    p = _approved(secretary, community)
    event = p.events.get(action="reply")
    assert event.data == {"approved": True, "late": False}


def test_contributions_cap_exemptions_and_the_70_percent_threshold(
    secretary: Any, community: Any
) -> None:
    p = _approved(secretary, community, villagers=100)
    on = dt.date(2026, 10, 20)
    with pytest.raises(ValidationFailed, match="超过上限"):
        services.contribution_add(
            actor=secretary, project=p, household="张大", persons=3, money="60.01", on=on
        )
    services.contribution_add(
        actor=secretary, project=p, household="张大", persons=3, money="60", on=on
    )
    with pytest.raises(ValidationFailed, match=r"筹资合计 60\.01 元超过上限"):
        services.contribution_add(
            actor=secretary, project=p, household="张大", persons=3, money="0.01", on=on
        )
    services.contribution_add(
        actor=secretary, project=p, household="张大", persons=3, labour_days="6", on=on
    )
    with pytest.raises(ValidationFailed, match="减免的户不筹资筹劳"):
        services.contribution_add(
            actor=secretary,
            project=p,
            household="李五保",
            persons=1,
            money="1",
            exempt_reason="五保户",
            on=on,
        )
    services.contribution_add(
        actor=secretary, project=p, household="李五保", persons=1, exempt_reason="五保户", on=on
    )
    services.contribution_add(
        actor=secretary, project=p, household="王低保", persons=3, exempt_reason="低保户", on=on
    )
    # 100 villagers, 4 exempt: 96 due; 70 % of 96 is 67.2, so 68 persons are needed.
    for i in range(21):
        services.contribution_add(
            actor=secretary, project=p, household=f"户{i:02d}", persons=3, money="40", on=on
        )
    book = selectors.project_book(p)
    assert (book.persons_due, book.persons_contributing, book.persons_exempt) == (96, 66, 4)
    assert not book.eligible and book.persons_needed == 2
    services.contribution_add(
        actor=secretary, project=p, household="赵一", persons=1, money="20", on=on
    )
    book = selectors.project_book(p)
    assert book.persons_contributing == 67 and not book.eligible  # 67/96 = 69.8 %
    services.contribution_add(
        actor=secretary, project=p, household="赵二", persons=1, labour_days="1", on=on
    )
    book = selectors.project_book(p)
    assert book.persons_contributing == 68 and book.eligible and book.share_percent == "70.8"
    # The sums shown are the rows' sums.
    rows = list(Contribution.objects.filter(project=p))
    assert (
        book.money
        == sum((r.money for r in rows), Decimal(0))
        == Decimal("60") + 21 * Decimal("40") + Decimal("20")
    )
    assert book.labour_days == Decimal("7")


def test_exactly_70_percent_qualifies(secretary: Any, community: Any) -> None:
    p = _approved(secretary, community, villagers=10)
    on = dt.date(2026, 10, 20)
    for i in range(6):
        services.contribution_add(
            actor=secretary, project=p, household=f"户{i}", persons=1, money="5", on=on
        )
    assert not selectors.project_book(p).eligible  # 6/10
    services.contribution_add(
        actor=secretary, project=p, household="户6", persons=1, money="5", on=on
    )
    book = selectors.project_book(p)
    assert book.eligible and book.share_percent == "70.0"  # exactly 7/10


def test_the_ledger_is_append_only_and_sums_are_recomputed(secretary: Any, community: Any) -> None:
    from zhili.core.events import AppendOnlyError

    p = _approved(secretary, community)
    on = dt.date(2026, 10, 21)
    services.contribution_add(
        actor=secretary, project=p, household="张大", persons=2, money="40", on=on
    )
    services.ledger_add(
        actor=secretary, project=p, kind="grant", amount="30000", on=on, note="区财政奖补"
    )
    services.ledger_add(
        actor=secretary, project=p, kind="spent", amount="12500.50", on=on, note="水泥沙石"
    )
    services.ledger_add(
        actor=secretary, project=p, kind="correction", amount="-0.50", on=on, note="冲正"
    )
    with pytest.raises(ValidationFailed):
        services.ledger_add(actor=secretary, project=p, kind="spent", amount="-1", on=on, note="x")
    entry = LedgerEntry.objects.filter(project=p).first()
    with pytest.raises(AppendOnlyError):
        entry.save()  # type: ignore[union-attr]
    book = selectors.project_book(p)
    entries = list(LedgerEntry.objects.filter(project=p))
    spent = sum((e.amount for e in entries if e.kind == "spent"), Decimal(0))
    assert (
        book.balance
        == Decimal("40") + Decimal("30000") - spent - Decimal("0.50")
        == Decimal("17539.00")
    )
    page = Client()
    page.force_login(secretary)
    html = page.get(f"/deliberation/projects/{p.number}/").content.decode()
    assert "17539.00 元" in html and "张*" in html and "张大" not in html


def test_projects_are_scoped(secretary: Any, community: Any) -> None:
    p = _project(secretary, community)
    with pytest.raises(NotFound):
        services.project_notice(
            actor=f.user("wanzhou"),
            project=p,
            notice_from=dt.date(2026, 9, 1),
            notice_until=dt.date(2026, 9, 7),
        )
    c = Client()
    c.force_login(f.user("wanzhou"))
    assert c.get(f"/deliberation/projects/{p.number}/").status_code == 404


def test_households_revealed_only_with_the_right_and_audited(
    secretary: Any, community: Any
) -> None:
    from zhili.core.models import AuditEvent

    p = _approved(secretary, community)
    services.contribution_add(
        actor=secretary,
        project=p,
        household="张大",
        phone="13812345678",
        persons=2,
        money="40",
        on=dt.date(2026, 10, 20),
    )
    c = Client()
    c.force_login(secretary)
    page = c.get(f"/deliberation/projects/{p.number}/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    shown = c.post(f"/deliberation/projects/{p.number}/personal/").content.decode()
    assert "13812345678" in shown and "张大" in shown
    assert AuditEvent.objects.filter(action="privacy.reveal", object_id=str(p.pk)).count() == 1
    district = _client_for("yuzhong")  # deliberation.* includes view_personal
    assert district.get(f"/api/v1/deliberation/projects/{p.number}/personal").status_code == 200
    assert (
        _client_for("wanzhou").get(f"/api/v1/deliberation/projects/{p.number}/personal").status_code
        == 404
    )


def _client_for(who: str) -> Client:
    c = Client()
    c.force_login(f.user(who))
    return c


def test_the_cap_is_data_the_district_sets(secretary: Any, community: Any) -> None:
    yuzhong = f.area(f.YUZHONG)
    with pytest.raises(PermissionDenied):
        services.cap_set(actor=secretary, area=community, year=2026, money="30", labour_days="5")
    with pytest.raises(NotFound):
        services.cap_set(
            actor=f.user("wanzhou"), area=yuzhong, year=2026, money="30", labour_days="5"
        )
    services.cap_set(actor=f.user("yuzhong"), area=yuzhong, year=None, money="12", labour_days="4")
    with pytest.raises(ValidationFailed, match=r"超过上限 12\.00 元"):
        _project(secretary, community, money_per_person="13")
    r = _client_for("city_admin").post(
        "/api/v1/deliberation/caps",
        {"area": f.YUZHONG, "year": 2026, "money": "25", "labour_days": "6"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert _project(secretary, community, money_per_person="25").money_per_person == Decimal(25)
