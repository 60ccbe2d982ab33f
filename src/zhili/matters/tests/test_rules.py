# ruff: noqa: F811  (the fixtures of test_supervision are imported by name)
"""Issue 16's matter rules (DOMAIN.md §3), each at its edge: escalation climbs street → district →
city each after its own delay; the centre re-dispatches (改派) without waiting for a return; a
resumed matter's deadlines move by the working days suspended; 信访 and 雪亮 channels; the limits
and thresholds are 业务参数."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from zhili.core import tunables
from zhili.core.errors import ValidationFailed
from zhili.core.models import Notice
from zhili.matters import services as s
from zhili.matters.models import Category, Channel, Matter, MatterEvent, Status
from zhili.matters.supervision import MAX_CLIMB, sweep
from zhili.matters.tests.test_supervision import (  # noqa: F401  (fixtures)
    GRID,
    at,
    dispatched,
    new_matter,
    no_calendar_overrides,
    staff,
    unit,
)
from zhili.org.models import Unit


def _escalations(m: Matter) -> list[tuple[str, int]]:
    return [
        (n.recipient.username, int(n.dedupe_key.count(":") == 3))
        for n in Notice.objects.filter(object_id=str(m.pk), kind="escalate").order_by("id")
    ]


def test_escalation_climbs_to_the_city_each_after_its_own_delay(
    dispatched: Matter, users: Any
) -> None:
    wednesday = at(days=2)  # the sign deadline passed at Tuesday midnight
    sweep(wednesday)  # 督办 to the unit
    assert sweep(wednesday + dt.timedelta(hours=25)).escalated == 1  # after 24 h: the district
    m = Matter.objects.get(pk=dispatched.pk)
    assert m.escalation_level == 1
    assert [n.recipient for n in Notice.objects.filter(object_id=str(m.pk), kind="escalate")] == [
        users["yuzhong"]
    ]
    # The next level waits its own 48 hours after the district heard.
    assert sweep(wednesday + dt.timedelta(hours=25 + 47)).escalated == 0
    assert sweep(wednesday + dt.timedelta(hours=25 + 49)).escalated == 1
    m.refresh_from_db()
    assert m.escalation_level == 2
    city = Notice.objects.filter(object_id=str(m.pk), kind="escalate").latest("id")
    assert city.recipient == users["city_admin"]
    event = MatterEvent.objects.filter(matter=m, action="escalate").latest("id")
    assert event.data["level"] == 2 and event.data["to"] == ["city_admin"]
    # Nobody sits above the city: the climb ends, and the matter leaves the candidates.
    assert sweep(wednesday + dt.timedelta(days=10)).escalated == 0
    m.refresh_from_db()
    assert m.escalation_level == MAX_CLIMB
    assert MatterEvent.objects.filter(matter=m, action="escalate").count() == 2


def test_the_delays_are_business_parameters(dispatched: Matter, users: Any) -> None:
    admin = users["city_admin"]
    tunables.tunable_set(actor=admin, key="matters.escalate_after_hours", value=2, reason="试点")
    tunables.tunable_set(actor=admin, key="matters.escalate_again_hours", value=3, reason="试点")
    wednesday = at(days=2)
    sweep(wednesday)
    assert sweep(wednesday + dt.timedelta(hours=2, minutes=1)).escalated == 1
    assert sweep(wednesday + dt.timedelta(hours=5, minutes=2)).escalated == 1
    assert Matter.objects.get(pk=dispatched.pk).escalation_level == 2


def test_the_centre_redispatches_without_waiting_for_a_return(
    dispatched: Matter, users: Any
) -> None:
    other = Unit.objects.get(name="解放碑街道综治中心")
    m = s.matter_dispatch(actor=users["jiefangbei"], matter=dispatched, unit=other, at=at(hours=3))
    assert m.status == Status.DISPATCHED and m.lead_unit == other and m.dispatch_count == 2
    assert m.sign_due == timezone.make_aware(dt.datetime(2026, 6, 2, 23, 59, 59))
    # The unit the matter was taken from can no longer sign it.
    assert "sign" not in s.WORKFLOW.allowed_actions(users["unit_yz_jw"], m)


def test_resuming_moves_deadlines_by_the_working_days_suspended(
    dispatched: Matter, users: Any
) -> None:
    district = users["yuzhong"]
    sign_due, handle_due = dispatched.sign_due, dispatched.handle_due
    assert sign_due is not None and handle_due is not None
    # Suspended Friday 10:00, resumed Monday 10:00: the weekend costs no working day … but
    # Friday → Monday covers one working day (Monday), so the deadlines move by one.
    friday = at(days=4, hours=1)
    m = s.matter_suspend(actor=district, matter=dispatched, reason="等待鉴定", at=friday)
    m = s.matter_resume(actor=district, matter=m, at=friday + dt.timedelta(days=3))
    local = timezone.localtime
    assert local(m.sign_due).date() == dt.date(2026, 6, 3)  # Tuesday → Wednesday
    assert local(m.sign_due).time() == dt.time(23, 59, 59)
    # A suspension within one day moves nothing; over the clock it was 72 hours.
    m = s.matter_suspend(actor=district, matter=m, reason="等待鉴定", at=at(days=7, hours=1))
    m = s.matter_resume(actor=district, matter=m, at=at(days=7, hours=5))
    assert local(m.sign_due).date() == dt.date(2026, 6, 3)


def test_the_dragon_boat_holiday_costs_no_working_day(users: Any, new_matter: Any) -> None:
    """2026 端午节: 6 月 19 日 (Friday) is a holiday; suspended Thursday, resumed Monday, the
    deadline moves by one working day (Monday 22nd), not by four calendar days."""
    officer = users["jiefangbei"]
    thursday = timezone.make_aware(dt.datetime(2026, 6, 18, 10, 0))
    m = s.matter_accept(actor=officer, matter=new_matter(thursday), at=thursday)
    before = timezone.localtime(m.dispatch_due).date()
    assert before == dt.date(2026, 6, 22)  # 1 working day after Thursday: Monday
    m = s.matter_suspend(actor=users["yuzhong"], matter=m, reason="待查", at=thursday)
    m = s.matter_resume(actor=users["yuzhong"], matter=m, at=thursday + dt.timedelta(days=4))
    assert timezone.localtime(m.dispatch_due).date() == dt.date(2026, 6, 23)


@pytest.mark.parametrize("channel", [Channel.PETITION, Channel.VIDEO])
def test_petition_and_video_channels(users: Any, area: Any, channel: str) -> None:
    m = s.matter_create(
        actor=users["jiefangbei"],
        category=Category.objects.get(code="road-damage"),
        channel=channel,
        description="人行道破损",
        area=area(GRID),
    )
    assert m.get_channel_display() in ("信访", "雪亮工程视频发现")


def test_the_extension_maximum_is_a_business_parameter(
    dispatched: Matter, staff: Any, users: Any
) -> None:
    m = s.matter_sign(actor=staff, matter=dispatched, at=at(hours=1))
    with pytest.raises(ValidationFailed):
        s.matter_extend(actor=staff, matter=m, days=16, reason="材料未到")
    tunables.tunable_set(
        actor=users["city_admin"], key="matters.max_extension_workdays", value=20, reason="x"
    )
    assert (
        s.matter_extend(actor=staff, matter=m, days=16, reason="材料未到").extension_requested_days
        == 16
    )


def test_a_missed_contact_deadline_is_swept_once(dispatched: Matter, staff: Any) -> None:
    """签收 on time but the resident not contacted by the contact limit (1 working day for 难事)."""
    m = s.matter_sign(actor=staff, matter=dispatched, at=at(hours=1))  # signed, not contacted
    assert m.contact_due == timezone.make_aware(dt.datetime(2026, 6, 2, 23, 59, 59))
    assert sweep(at(days=1)).contact_overdue == 0
    result = sweep(at(days=2))
    assert result.contact_overdue == 1
    m.refresh_from_db()
    assert m.contact_overdue_at == at(days=2)
    [event] = MatterEvent.objects.filter(matter=m, action="contact_overdue")
    assert event.to_status == Status.HANDLING and "联系时限" in event.summary
    [notice] = Notice.objects.filter(object_id=str(m.pk), kind="contact_overdue")
    assert notice.recipient == staff and "联系" in notice.title
    assert sweep(at(days=3)).contact_overdue == 0  # once per contact deadline
    # Contacted: nothing more; a matter contacted in time is never swept.
    other = s.matter_sign(
        actor=staff,
        matter=s.matter_dispatch(
            actor=dispatched.created_by,
            matter=s.matter_accept(actor=dispatched.created_by, matter=_another(dispatched)),
            unit=dispatched.lead_unit,
            at=at(hours=2),
        ),
        contacted=True,
        at=at(hours=3),
    )
    assert sweep(at(days=4)).contact_overdue == 0
    assert not MatterEvent.objects.filter(matter=other, action="contact_overdue").exists()


def _another(m: Matter) -> Matter:
    return s.matter_create(
        actor=m.created_by,
        category=m.category,
        channel="staff",
        description="另一处人行道破损",
        area=m.area,
        at=at(hours=1),
    )


def test_the_handling_mode_is_raised_with_a_reason_and_the_deadlines_follow(
    dispatched: Matter, staff: Any, users: Any, client: Any, bearer: Any
) -> None:
    from zhili.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        s.matter_mode(actor=staff, matter=dispatched, mode="urgent", reason="想快点")
    with pytest.raises(ValidationFailed) as exc:
        s.matter_mode(actor=users["jiefangbei"], matter=dispatched, mode="timed", reason="x")
    assert exc.value.code == "same_mode"
    m = s.matter_mode(
        actor=users["jiefangbei"],
        matter=dispatched,
        mode="urgent",
        reason="路面塌陷，危及行人",
        at=at(hours=0.5),
    )
    assert m.handling_mode == "urgent"
    # 急事: sign 1 h, contact 2 h, handle 24 h, from the dispatch (Monday 09:12).
    sent = dispatched.dispatched_at
    assert m.sign_due == sent + dt.timedelta(hours=1) == m.due_at
    assert m.contact_due == sent + dt.timedelta(hours=2)
    assert m.handle_due == sent + dt.timedelta(hours=24)
    event = MatterEvent.objects.filter(matter=m, action="mode").latest("id")
    assert event.note == "路面塌陷，危及行人" and "急事特事特办" in event.summary
    # Through the API, back to 难事限时办: working days again.
    r = client.post(
        f"/api/v1/matters/{m.number}/actions/mode",
        {"mode": "timed", "reason": "经核实不紧急", "version": m.version + 0},
        content_type="application/json",
        headers=bearer("jiefangbei"),
    )
    assert r.status_code == 200, r.content
    m.refresh_from_db()
    assert m.sign_due == timezone.make_aware(dt.datetime(2026, 6, 2, 23, 59, 59))


def test_lists_filter_by_triage_mode_and_topic(
    new_matter: Any, users: Any, login: Any, client: Any, bearer: Any
) -> None:
    from zhili.areas.models import Area
    from zhili.matters import selectors
    from zhili.org.models import UnitType

    officer = users["jiefangbei"]
    Unit.objects.create(  # 小事 goes to the community's committee (matters.triage)
        name="民生路社区居民委员会",
        type=UnitType.RESIDENTS_COMMITTEE,
        area=Area.objects.get(code=GRID[:12]),
    )
    big = s.matter_triage(actor=officer, matter=new_matter(), triage="big", reason="涉及市政")
    small = s.matter_triage(actor=officer, matter=new_matter(), triage="small", reason="社区可办")
    urgent = s.matter_mode(actor=officer, matter=new_matter(), mode="urgent", reason="危险")

    def numbers(**kw: str) -> set[str]:
        qs = selectors.matter_list(officer, selectors.MatterFilters(**kw))
        return set(qs.values_list("number", flat=True))

    assert big.number in numbers(triage="big") and small.number not in numbers(triage="big")
    assert urgent.number in numbers(handling_mode="urgent")
    assert big.number not in numbers(handling_mode="urgent")
    topic = big.category.topic
    assert big.number in numbers(topic=topic)
    other = next(t for t in ("party", "civility") if t != topic)
    assert big.number not in numbers(topic=other)
    page = login("jiefangbei").get("/matters/", {"triage": "small"}).content.decode()
    assert small.number in page and big.number not in page
    r = client.get("/api/v1/matters", {"handling_mode": "urgent"}, headers=bearer("jiefangbei"))
    assert r.status_code == 200
    got = {row["number"] for row in r.json()["items"]}
    assert urgent.number in got and big.number not in got
    bad = client.get("/api/v1/matters", {"triage": "huge"}, headers=bearer("jiefangbei"))
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_filter"
