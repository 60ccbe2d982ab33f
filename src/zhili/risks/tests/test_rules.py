"""Issue 16's risk rules (DOMAIN.md §5), each at its edge: 三定 before closure, a failed 四性 test
blocks a project risk's approval, a missed limit climbs the tree to the city (one level per missed
limit), hot spots are counted from rollups / by the database, and a repeated reporter is keyed on
a hash of the phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from zhili.core import tunables
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.matters.models import MatterAreaDay
from zhili.risks import hotspots
from zhili.risks import services as rs
from zhili.risks.models import Risk, RiskCandidate, RiskEvent
from zhili.risks.supervision import sweep
from zhili.risks.tests.test_risks import _matters
from zhili.risks.tests.test_workflow import assess, evidence, register

FOUR = {"legality": True, "reasonableness": True, "feasibility": True, "controllability": True}


def _own(users: Any, risk: Risk, *, measure: bool = True) -> None:
    officer = users["jiefangbei"]
    rs.risk_assign(actor=officer, risk=risk, person=officer, unit=officer.unit)
    if measure:
        m = rs.measure_add(
            actor=officer, risk=risk, text="走访", owner=officer, due=timezone.localdate()
        )
        rs.measure_done(actor=officer, measure=m)


def _close(users: Any, risk: Risk, rating: str = "blue") -> Risk:
    return rs.risk_close(
        actor=users["jiefangbei"],
        risk=risk,
        final_rating=rating,
        note="已化解",
        attachments=[evidence()],
    )


def test_a_risk_closes_only_with_person_duty_and_measures(users: Any, area: Any) -> None:
    risk = register(users, area)
    with pytest.raises(ValidationFailed) as exc:
        _close(users, risk)
    assert exc.value.code == "ownership_required" and "责任人、责任单位、管控措施" in str(
        exc.value.message
    )
    officer = users["jiefangbei"]
    rs.risk_assign(actor=officer, risk=risk, person=officer, unit=officer.unit)
    with pytest.raises(ValidationFailed) as exc:
        _close(users, risk)
    assert exc.value.message.endswith("尚缺管控措施")
    _own(users, risk, measure=True)
    assert _close(users, risk).status == "closed"


def test_a_failed_stability_test_blocks_the_project_approval(users: Any, area: Any) -> None:
    project = register(users, area, category="project", title="某安置房项目社会稳定风险")
    failed = {**FOUR, "controllability": False}
    assess(users, project, 2, 2, stability_tests=failed)
    yuzhong = users["yuzhong"]  # holds "accept" over the district
    expires = timezone.localdate() + dt.timedelta(days=90)
    with pytest.raises(PermissionDenied) as exc:
        rs.risk_accept(actor=yuzhong, risk=project, reason="可接受", expires=expires)
    assert "可控性" in exc.value.message
    page = users["yuzhong"]
    from zhili.risks.workflow import WORKFLOW

    assert "accept" not in WORKFLOW.allowed_actions(page, project)  # no button either
    # Re-assessed with all four passed: approval goes through.
    assess(users, project, 2, 2, stability_tests=FOUR)
    project = rs.risk_accept(actor=yuzhong, risk=project, reason="可接受", expires=expires)
    assert project.status == "accepted"
    # Other categories have no four tests.
    other = register(users, area)
    assess(users, other, 2, 2)
    assert rs.risk_accept(actor=yuzhong, risk=other, reason="可接受", expires=expires)


def test_a_missed_limit_climbs_the_tree_to_the_city(users: Any, area: Any) -> None:
    risk = register(users, area)
    assess(users, risk, 5, 5)  # red: escalated to the district at once
    risk.refresh_from_db()
    assert risk.escalated_to.code == "500103"
    first_due = risk.handle_due
    assert sweep()["climbed"] == 0  # within the limit: stays
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Risk.objects.filter(pk=risk.pk).update(handle_due=yesterday)
    assert sweep()["climbed"] == 1
    risk.refresh_from_db()
    assert risk.escalated_to.code == "500000" and risk.handle_due == first_due
    event = RiskEvent.objects.filter(risk=risk, action="escalate").latest("id")
    assert event.data["to"] == "500000" and event.data["missed"] == yesterday.isoformat()
    # At the city it climbs no further.
    Risk.objects.filter(pk=risk.pk).update(handle_due=yesterday)
    assert sweep()["climbed"] == 0
    # Yellow (not escalated by its policy) never climbs.
    quiet = register(users, area)
    assess(users, quiet, 3, 3)
    Risk.objects.filter(pk=quiet.pk).update(handle_due=yesterday)
    sweep()
    quiet.refresh_from_db()
    assert quiet.escalated_to is None


def test_rising_hot_spots_are_counted_from_the_rollups(users: Any, area: Any) -> None:
    _matters(
        users, area, "noise", [8 + 7 * w for w in range(8)] + [0.5 + 0.5 * i for i in range(9)]
    )
    t = hotspots.thresholds()
    assert [h["category_name"] for h in hotspots.rising_categories(timezone.now(), t)] == [
        "噪声扰民"
    ]
    # The rollups are what is read: halve this week's count there and the rise is gone.
    today = timezone.localdate()
    MatterAreaDay.objects.filter(
        depth=hotspots.STREET_DEPTH, category__code="noise", day__gte=today - dt.timedelta(days=6)
    ).update(created=F("created") - 1)
    assert hotspots.rising_categories(timezone.now(), t) == []


def test_the_thresholds_are_business_parameters(users: Any, area: Any) -> None:
    _matters(users, area, "sanitation", [1, 5], address="较场口 21 号院", phone="13700007777")
    assert not [c for c in hotspots.scan() if c.kind == "address"]
    tunables.tunable_set(actor=users["city_admin"], key="risks.repeat_count", value=2, reason="x")
    assert [c for c in hotspots.scan() if c.kind == "address"]


def test_a_repeated_reporter_is_keyed_on_a_hash_of_the_phone(users: Any, area: Any) -> None:
    _matters(users, area, "sanitation", [1, 5, 9], phone="13700007777")
    person = next(c for c in hotspots.scan() if c.kind == "person")
    assert "13700007777" not in person.key and "13700007777" not in person.title
    assert "13700007777" not in str(person.evidence)
    assert hotspots.phone_key("13700007777") in person.key
    assert not RiskCandidate.objects.filter(key__contains="13700007777").exists()


def test_a_phone_key_stays_what_was_stored() -> None:
    """HMAC-SHA1 with the project's key, named, not Django's default (which moves to SHA-256):
    keys already stored in candidates cannot be rehashed, so they must keep matching."""
    import hashlib
    import hmac

    from django.conf import settings

    key = hashlib.sha1(("zhili.risks.hotspots.phone" + settings.SECRET_KEY).encode()).digest()
    expected = hmac.new(key, b"13700007777", hashlib.sha1).hexdigest()[:32]
    assert hotspots.phone_key("13700007777") == expected
