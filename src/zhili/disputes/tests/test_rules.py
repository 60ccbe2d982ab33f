"""Issue 16's dispute rules (DOMAIN.md §6), each at its edge: 警调 limits (24 h, complex 5 days),
the 30 + 30 days for 诉调 only, 访调 needs both parties' consent (stored, with the litigation flag),
the mediator belongs to the committee of the area, the confirmation window counts from the
parties' application, and the limits are 业务参数 an administrator changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.core import tunables
from zhili.core.errors import Conflict, ValidationFailed
from zhili.disputes import services as ds
from zhili.disputes.models import Dispute, DisputeEvent
from zhili.disputes.tests.test_defects import COMMITTEE, assign, register
from zhili.org.models import Unit, UnitType

GRID = "500103003013001"
COURT = {"channel": "court_assigned", "referral_no": "（2026）渝0103民诉前调2号"}


def test_police_cases_are_fed_back_within_24_hours_complex_within_5_days(
    users: Any, area: Any
) -> None:
    plain = register(users, area, channel="police", referral_no="渝公(解)调字1号")
    assert plain.due_at - plain.received_at == dt.timedelta(hours=24)
    hard = register(users, area, channel="police", complex_case=True)
    assert hard.due_at - hard.received_at == dt.timedelta(days=5)
    assert hard.complex_case
    event = DisputeEvent.objects.get(dispute=hard, action="register")
    assert event.data["days"] == 5 and event.data["complex_case"] is True
    direct = register(users, area)
    assert direct.due_at - direct.received_at == dt.timedelta(days=30)
    with pytest.raises(ValidationFailed) as exc:
        register(users, area, complex_case=True)  # "complex" is the police practice only
    assert exc.value.code == "complex_police_only"


def test_only_court_cases_are_extended_by_at_most_30_days(users: Any, area: Any) -> None:
    m = users["mediator_jfb"]
    for channel in ("direct", "police"):
        d = assign(users, register(users, area, channel=channel), m)
        with pytest.raises(Conflict) as exc:
            ds.dispute_extend(actor=m, dispute=d, days=10, parties_request=True)
        assert exc.value.code == "extension_court_only"
    court = assign(users, register(users, area, **COURT), m)
    with pytest.raises(ValidationFailed) as exc2:
        ds.dispute_extend(actor=m, dispute=court, days=31, parties_request=True)
    assert exc2.value.code == "extension_too_long"
    court = ds.dispute_extend(actor=m, dispute=court, days=30, parties_request=True)
    assert court.due_at - court.received_at == dt.timedelta(days=60)


def test_the_api_refuses_an_extension_outside_the_court_channel(
    users: Any, area: Any, client: Any, bearer: Any
) -> None:
    d = assign(users, register(users, area), users["mediator_jfb"])
    r = client.post(
        f"/api/v1/disputes/{d.number}/actions/extend",
        {"days": 10, "parties_request": True},
        content_type="application/json",
        headers=bearer("mediator_jfb"),
    )
    assert r.status_code == 409 and r.json()["code"] == "extension_court_only"


def test_petition_mediation_needs_both_parties_consent(users: Any, area: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        register(users, area, channel="petition")
    assert exc.value.code == "consent_required"
    d = register(users, area, channel="petition", parties_consent=True)
    assert d.parties_consent and not d.litigation_involved
    with pytest.raises(ValidationFailed) as exc:
        register(users, area, channel="petition", parties_consent=True, litigation_involved=True)
    assert exc.value.code == "petition_excluded"
    # Elsewhere the litigation flag is stored (a court-entrusted case is in litigation).
    entrusted = register(
        users,
        area,
        channel="court_entrusted",
        referral_no="（2026）渝0103民初9号",
        litigation_involved=True,
    )
    assert Dispute.objects.get(pk=entrusted.pk).litigation_involved


def test_the_registration_page_captures_consent(users: Any, area: Any, login: Any) -> None:
    client = login("jiefangbei")
    form = {
        "channel": "petition",
        "subject": "相邻漏水",
        "facts": "楼上漏水",
        "area_code": GRID,
        "applicant": "赵六",
        "respondent": "钱七",
    }
    r = client.post("/disputes/new/", form)
    assert r.status_code == 200 and "双方当事人同意" in r.content.decode()
    assert not Dispute.objects.filter(subject="相邻漏水").exists()
    r = client.post("/disputes/new/", {**form, "parties_consent": "on"})
    assert r.status_code == 302
    assert Dispute.objects.get(subject="相邻漏水").parties_consent


def test_the_mediator_belongs_to_the_committee_of_the_area(users: Any, area: Any) -> None:
    d = register(users, area)
    elsewhere = Unit.objects.create(
        name="万州区某街道人民调解委员会",
        type=UnitType.MEDIATION_COMMITTEE,
        area=area("500101"),
    )
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_assign(
            actor=users["jiefangbei"],
            dispute=d,
            committee=elsewhere,
            mediator=users["mediator_jfb"],
        )
    assert exc.value.code == "committee_area"
    other = Unit.objects.create(
        name="解放碑另一调委会", type=UnitType.MEDIATION_COMMITTEE, area=area("500103003")
    )
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_assign(
            actor=users["jiefangbei"], dispute=d, committee=other, mediator=users["mediator_jfb"]
        )
    assert exc.value.code == "not_a_member"
    assert Unit.objects.get(name=COMMITTEE) == users["mediator_jfb"].unit
    assert assign(users, d, users["mediator_jfb"]).committee.name == COMMITTEE


def _agreed(users: Any, area: Any) -> Dispute:
    m = users["mediator_jfb"]
    d = assign(users, register(users, area), m)
    ds.session_add(actor=m, dispute=d, at=timezone.now() - dt.timedelta(hours=1), notes="到场")
    return ds.dispute_agree(actor=m, dispute=d, agreement="和解")


def test_the_confirmation_window_counts_from_the_parties_application(users: Any, area: Any) -> None:
    m = users["mediator_jfb"]
    d = _agreed(users, area)
    today = timezone.localdate()
    assert d.confirmation_due == today + dt.timedelta(days=30)
    # Applied on the last day: the court may confirm later, the window is met.
    late_court = today + dt.timedelta(days=40)
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_confirm(
            actor=m, dispute=d, applied_on=today + dt.timedelta(days=31), confirmed_on=late_court
        )
    assert exc.value.code == "confirmation_late"
    with pytest.raises(ValidationFailed) as exc:
        ds.dispute_confirm(
            actor=m, dispute=d, applied_on=today + dt.timedelta(days=5), confirmed_on=today
        )
    assert exc.value.code == "invalid_date"  # confirmed before the application
    d = ds.dispute_confirm(
        actor=m, dispute=d, applied_on=today + dt.timedelta(days=30), confirmed_on=late_court
    )
    assert d.confirmation_applied_on == today + dt.timedelta(days=30)
    assert timezone.localtime(d.confirmed_at).date() == late_court


def test_the_limits_are_business_parameters(users: Any, area: Any) -> None:
    admin = users["city_admin"]
    tunables.tunable_set(actor=admin, key="disputes.police_hours", value="12", reason="试点")
    tunables.tunable_set(actor=admin, key="disputes.court_extension_days", value=20, reason="试点")
    tunables.tunable_set(actor=admin, key="disputes.follow_up_days", value=7, reason="试点")
    police = register(users, area, channel="police")
    assert police.due_at - police.received_at == dt.timedelta(hours=12)
    m = users["mediator_jfb"]
    court = assign(users, register(users, area, **COURT), m)
    with pytest.raises(ValidationFailed):
        ds.dispute_extend(actor=m, dispute=court, days=21, parties_request=True)
    ds.dispute_extend(actor=m, dispute=court, days=20, parties_request=True)
    d = _agreed(users, area)
    d = ds.dispute_close(actor=m, dispute=d)
    assert d.follow_up_due == timezone.localdate() + dt.timedelta(days=7)


def test_the_worker_reminds_of_overdue_confirmation_and_follow_up(users: Any, area: Any) -> None:
    from zhili.core.models import Notice
    from zhili.disputes.reminders import send_reminders
    from zhili.disputes.tasks import dispute_reminders

    m, officer = users["mediator_jfb"], users["jiefangbei"]
    police = assign(users, register(users, area, channel="police"), m)
    assert send_reminders()["overdue"] == 0  # 24 hours not over yet
    later = timezone.now() + dt.timedelta(hours=25)
    assert send_reminders(now=later)["overdue"] == 1
    assert send_reminders(now=later)["overdue"] == 0  # once per deadline
    notes = Notice.objects.filter(object_id=str(police.pk), kind="dispute_overdue")
    assert {n.recipient for n in notes} == {m, officer}
    assert police.number in notes.first().title

    agreed = _agreed(users, area)
    assert send_reminders()["confirmation"] == 0  # 30 days left
    near = timezone.now() + dt.timedelta(days=28)
    assert send_reminders(now=near)["confirmation"] == 1

    closed = ds.dispute_close(actor=m, dispute=agreed)
    assert send_reminders()["follow_up"] == 0  # due in 15 days
    due = timezone.now() + dt.timedelta(days=14)
    assert send_reminders(now=due)["follow_up"] == 1
    assert send_reminders(now=due + dt.timedelta(days=3))["follow_up"] == 1  # now late: again
    ds.dispute_follow_up(actor=m, dispute=closed, note="已履行")
    assert send_reminders(now=due + dt.timedelta(days=5))["follow_up"] == 0
    assert set(dispute_reminders.call()) == {"overdue", "confirmation", "follow_up"}


# 人民调解委员会由委员三至九人组成 (org.models.MEDIATION_COMMITTEE_SIZE) ----------------------------


def test_a_committee_of_fewer_than_three_members_takes_no_case(
    users: Any, area: Any, client: Any, bearer: Any, login: Any
) -> None:
    from zhili.org.models import User

    d = register(users, area)
    User.objects.filter(username="mediator_jfb3").update(is_active=False)  # 2 members left
    with pytest.raises(ValidationFailed) as exc:
        assign(users, d, users["mediator_jfb"])
    assert exc.value.code == "committee_size" and exc.value.detail["members"] == 2
    committee = Unit.objects.get(name=COMMITTEE)
    r = client.post(
        f"/api/v1/disputes/{d.number}/actions/assign",
        {"committee": committee.pk, "mediator": "mediator_jfb"},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 422 and r.json()["code"] == "committee_size"
    page = login("jiefangbei").post(
        f"/disputes/{d.number}/",
        {"action": "assign", "committee": committee.pk, "mediator": "mediator_jfb"},
    )
    assert page.status_code == 200 and "委员三至九人" in page.content.decode()
    d.refresh_from_db()
    assert d.mediator_id is None
    User.objects.filter(username="mediator_jfb3").update(is_active=True)  # three again
    assert assign(users, d, users["mediator_jfb"]).mediator == users["mediator_jfb"]


def test_a_committee_takes_at_most_nine_members(users: Any, area: Any, login: Any) -> None:
    from zhili.org.models import User
    from zhili.org.services import user_create, user_update

    committee = Unit.objects.get(name=COMMITTEE)
    admin, street = users["city_admin"], area("500103003")

    def join(name: str) -> User:
        return user_create(
            actor=admin,
            username=name,
            password="x-unused-Password-2026",
            area=street,
            unit=committee,
            check_password=False,
        )

    for n in range(4, 10):  # 3 demo mediators + 6 = 9
        join(f"mediator_jfb{n}")
    assert User.objects.filter(unit=committee, is_active=True).count() == 9
    with pytest.raises(ValidationFailed) as exc:
        join("mediator_jfb10")
    assert exc.value.code == "committee_full"
    with pytest.raises(ValidationFailed):  # nor by moving someone in
        user_update(actor=admin, user=users["jiefangbei"], unit=committee)
    page = login("city_admin").post(
        "/org/users/new/",
        {
            "username": "mediator_jfb10",
            "full_name": "第十人",
            "area_code": "500103003",
            "unit": committee.pk,
            "password": "x-unused-Password-2026",
        },
    )
    assert page.status_code == 200 and "委员三至九人" in page.content.decode()
    assert not User.objects.filter(username="mediator_jfb10").exists()
    # A member leaves: there is room again; editing a member is not joining.
    nine = User.objects.get(username="mediator_jfb9")
    user_update(actor=admin, user=nine, full_name="调解员九")
    user_update(actor=admin, user=nine, is_active=False)
    assert join("mediator_jfb10").unit == committee


def test_how_early_the_worker_warns_is_a_business_parameter(users: Any, area: Any) -> None:
    from zhili.disputes.reminders import send_reminders

    tunables.tunable_set(
        actor=users["city_admin"], key="disputes.confirmation_warn_days", value=1, reason="试行"
    )
    _agreed(users, area)
    assert send_reminders(now=timezone.now() + dt.timedelta(days=28))["confirmation"] == 0
    assert send_reminders(now=timezone.now() + dt.timedelta(days=29))["confirmation"] == 1
