"""Disputes: registration rules, mediator conflicts, court deadlines with one extension, agreement,
judicial confirmation window, failure routing, escalation to a risk candidate, statistics, scoping."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.core.errors import Conflict, ValidationFailed
from zhili.disputes import services as ds
from zhili.disputes.models import Dispute, Party, Status
from zhili.org.models import Unit
from zhili.risks.models import RiskCandidate

GRID = "500103003013001"
PARTIES = [
    {"role": "applicant", "name": "赵六", "phone": "13600001111"},
    {"role": "respondent", "name": "某装修公司", "is_organisation": True},
]


def court_case(users: Any, area: Any, **kw: Any) -> Dispute:
    args = {
        "actor": users["jiefangbei"],
        "channel": "court_assigned",
        "subject": "装修合同纠纷",
        "facts": "装修质量争议，申请人要求返工并赔偿",
        "area": area(GRID),
        "parties": PARTIES,
        "amount": "23000",
        "referral_no": "(2026)渝0103民诉前调1234号",
    }
    args.update(kw)
    return ds.dispute_register(**args)


def test_registration_rules(users: Any, area: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        court_case(users, area, referral_no="")
    assert exc.value.code == "referral_required"
    with pytest.raises(ValidationFailed) as exc:
        court_case(users, area, parties=PARTIES[:1])
    assert exc.value.code == "parties_required"
    with pytest.raises(ValidationFailed) as exc:
        court_case(users, area, channel="petition", litigation_involved=True)
    assert exc.value.code == "petition_excluded"
    with pytest.raises(ValidationFailed):
        court_case(users, area, amount="很多")
    assert not Dispute.objects.filter(subject="装修合同纠纷").exists()
    d = court_case(users, area)
    assert d.due_at - d.received_at == dt.timedelta(days=30)
    direct = court_case(users, area, channel="direct", referral_no="")
    assert direct.number != d.number


def test_mediator_who_is_a_party_or_related_is_refused(users: Any, area: Any) -> None:
    committee = Unit.objects.get(name="解放碑街道人民调解委员会")
    mediator = users["mediator_jfb"]
    d = court_case(
        users,
        area,
        parties=[
            {"role": "applicant", "name": mediator.full_name},
            {"role": "respondent", "name": "钱七"},
        ],
    )
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_assign(
            actor=users["jiefangbei"], dispute=d, committee=committee, mediator=mediator
        )
    assert exc.value.code == "mediator_conflict"
    d2 = court_case(users, area)
    Party.objects.get(dispute=d2, name="赵六").related_staff.add(mediator)
    with pytest.raises(ValidationFailed):
        ds.dispute_assign(
            actor=users["jiefangbei"], dispute=d2, committee=committee, mediator=mediator
        )
    d2.refresh_from_db()
    assert d2.mediator is None and d2.status == Status.REGISTERED
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_assign(
            actor=users["jiefangbei"],
            dispute=court_case(users, area),
            committee=Unit.objects.get(name="解放碑派出所"),
            mediator=mediator,
        )
    assert exc.value.code == "committee_required"


def _mediating(users: Any, area: Any) -> Dispute:
    d = court_case(users, area)
    return ds.dispute_assign(
        actor=users["jiefangbei"],
        dispute=d,
        committee=Unit.objects.get(name="解放碑街道人民调解委员会"),
        mediator=users["mediator_jfb"],
    )


def test_extension_once_up_to_thirty_days_on_request(users: Any, area: Any) -> None:
    d = _mediating(users, area)
    m = users["mediator_jfb"]
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_extend(actor=m, dispute=d, days=10, parties_request=False)
    assert exc.value.code == "parties_request_required"
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_extend(actor=m, dispute=d, days=31, parties_request=True)
    assert exc.value.code == "extension_too_long"
    due = d.due_at
    d = ds.dispute_extend(actor=m, dispute=d, days=30, parties_request=True)
    assert d.due_at - due == dt.timedelta(days=30)
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_extend(actor=m, dispute=d, days=1, parties_request=True)
    assert exc.value.code == "extension_once"


def test_mediate_to_agreement_confirmation_and_follow_up(users: Any, area: Any) -> None:
    d = _mediating(users, area)
    m = users["mediator_jfb"]
    with pytest.raises(ValidationFailed):
        ds.dispute_agree(actor=m, dispute=d, agreement="返工")
    ds.session_add(
        actor=m,
        dispute=d,
        at=timezone.now() - dt.timedelta(hours=1),
        notes="双方到场，初步同意返工",
    )
    d = ds.dispute_agree(actor=m, dispute=d, agreement="被申请人于 15 日内返工并赔偿 5000 元")
    assert d.status == Status.AGREED
    assert d.confirmation_due == timezone.localdate() + dt.timedelta(days=30)
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_confirm(
            actor=m, dispute=d, confirmed_on=timezone.localdate() + dt.timedelta(days=31)
        )
    assert exc.value.code == "confirmation_late"
    d = ds.dispute_confirm(
        actor=m, dispute=d, confirmed_on=timezone.localdate() + dt.timedelta(days=10)
    )
    d = ds.dispute_close(actor=m, dispute=d)
    assert d.follow_up_due is not None
    d = ds.dispute_follow_up(actor=m, dispute=d, note="已返工，申请人满意")
    assert d.followed_up_at is not None
    with pytest.raises(Conflict):
        ds.dispute_agree(actor=m, dispute=d, agreement="again")


def test_failure_returns_to_the_court(users: Any, area: Any) -> None:
    d = ds.dispute_fail(
        actor=users["mediator_jfb"], dispute=_mediating(users, area), reason="被申请人拒不到场"
    )
    assert d.status == Status.FAILED and "人民法院" in d.returned_to


def test_escalation_becomes_a_risk_candidate(users: Any, area: Any) -> None:
    d = _mediating(users, area)
    cand = ds.dispute_flag_escalation(actor=users["mediator_jfb"], dispute=d, note="申请人扬言堵门")
    assert cand is not None and cand.dispute == d and cand.status == "proposed"
    assert RiskCandidate.objects.filter(dispute=d).count() == 1


def test_scoping_and_stats(users: Any, area: Any, client: Any, bearer: Any) -> None:
    d = _mediating(users, area)
    assert client.get(f"/api/v1/disputes/{d.number}", headers=bearer("wanzhou")).status_code == 404
    body = client.get(f"/api/v1/disputes/{d.number}", headers=bearer("yuzhong")).json()
    assert body["parties"][0]["phone"] == "136****1111"
    # An unassigned case is the street's to close as failed (the mediator does not see it).
    ds.dispute_fail(actor=users["jiefangbei"], dispute=court_case(users, area), reason="不愿调解")
    m = users["mediator_jfb"]
    ds.session_add(actor=m, dispute=d, at=timezone.now(), notes="调解")
    ds.dispute_close(actor=m, dispute=ds.dispute_agree(actor=m, dispute=d, agreement="和解"))
    stats = client.get("/api/v1/disputes/stats", headers=bearer("yuzhong")).json()
    court = next(r for r in stats["channel"] if r["name"].startswith("诉调对接·委派"))
    assert court["agreed"] == 1 and court["failed"] == 1 and court["success_rate"] == 0.5
    assert stats["district"][0]["name"] == "渝中区"
    assert client.get("/api/v1/disputes/stats", headers=bearer("wanzhou")).json()["channel"] == []


def test_api_bad_action_and_extension_beyond_rule(
    users: Any, area: Any, client: Any, bearer: Any
) -> None:
    d = _mediating(users, area)
    r = client.post(
        f"/api/v1/disputes/{d.number}/actions/extend",
        {"days": 45, "parties_request": True},
        content_type="application/json",
        headers=bearer("mediator_jfb"),
    )
    assert r.status_code == 422 and r.json()["code"] == "extension_too_long"
    r = client.post(
        f"/api/v1/disputes/{d.number}/actions/teleport",
        {},
        content_type="application/json",
        headers=bearer("mediator_jfb"),
    )
    assert r.status_code == 422
