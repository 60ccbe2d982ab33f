"""Time limits and supervision: warnings before a deadline, overdue marking with 督办, escalation
to the district after the delay, nothing duplicated on a second run, suspended matters untouched;
and the background task that runs the sweep."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from zhili.core import workdays
from zhili.core.models import AuditEvent, Notice
from zhili.matters import services as s
from zhili.matters.models import Category, Matter, MatterEvent, Status
from zhili.matters.supervision import sweep
from zhili.matters.tasks import sweep_deadlines
from zhili.org.models import Unit, User

GRID = "500103003013001"  # a demo grid in 解放碑街道
MONDAY = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))  # an ordinary working week


def at(days: float = 0, hours: float = 0) -> dt.datetime:
    return MONDAY + dt.timedelta(days=days, hours=hours)


@pytest.fixture(autouse=True)
def no_calendar_overrides(db: Any) -> Iterator[None]:
    workdays.forget_overrides()
    yield
    workdays.forget_overrides()


@pytest.fixture
def unit(db: Any) -> Unit:
    return Unit.objects.get(name="渝中区住房城乡建委")


@pytest.fixture
def staff(users: dict[str, Any]) -> User:
    return users["unit_yz_jw"]  # the demo account of 渝中区住房城乡建委


@pytest.fixture
def new_matter(users: dict[str, Any], area: Any) -> Any:
    def make(when: dt.datetime = MONDAY, category: str = "road-damage") -> Matter:
        return s.matter_create(
            actor=users["jiefangbei"],
            category=Category.objects.get(code=category),
            channel="staff",
            title="民生路人行道破损",
            description="民生路 12 号门口人行道地砖破损，老人容易绊倒",
            area=area(GRID),
            reporter_name="张三",
            reporter_phone="13800138000",
            at=when,
        )

    return make


@pytest.fixture
def dispatched(new_matter: Any, users: dict[str, Any], unit: Unit) -> Matter:
    """Dispatched on Monday 09:00: sign by the end of Tuesday (1 working day)."""
    officer = users["jiefangbei"]
    m = s.matter_accept(actor=officer, matter=new_matter(), at=at(hours=0.1))
    m = s.matter_dispatch(actor=officer, matter=m, unit=unit, at=at(hours=0.2))
    assert m.due_at == timezone.make_aware(dt.datetime(2026, 6, 2, 23, 59, 59))
    return m


def notices(user: User, kind: str) -> list[Notice]:
    return list(Notice.objects.filter(recipient=user, kind=kind).order_by("id"))


def events(m: Matter, action: str) -> int:
    return MatterEvent.objects.filter(matter=m, action=action).count()


def test_warned_once_before_the_deadline(dispatched: Matter, staff: User, users: Any) -> None:
    assert sweep(at(hours=6)).warned == 0  # due in 39 hours: too early
    result = sweep(at(days=1))  # Tuesday 09:00, due in 15 hours
    assert result.warned == 1 and result.notices == 1
    [notice] = notices(staff, "warn")
    assert dispatched.number in notice.title and "签收" in notice.title
    assert notice.url == f"/matters/{dispatched.number}/"
    assert not notices(users["jiefangbei"], "warn")  # the unit must sign, not the street
    assert sweep(at(days=1, hours=1)).warned == 0
    assert len(notices(staff, "warn")) == 1


def test_overdue_is_marked_supervised_and_escalated_to_the_district(
    dispatched: Matter, staff: User, users: Any
) -> None:
    wednesday = at(days=2)  # the sign deadline passed at Tuesday midnight
    result = sweep(wednesday)
    assert (result.overdue, result.supervised, result.escalated) == (1, 1, 0)
    m = Matter.objects.get(pk=dispatched.pk)
    assert m.overdue and m.supervised_at == wednesday and m.escalated_at is None
    assert (events(m, "overdue"), events(m, "supervise")) == (1, 1)
    event = MatterEvent.objects.get(matter=m, action="overdue")
    assert event.at == wednesday and event.to_status == Status.DISPATCHED
    assert AuditEvent.objects.filter(action="matter.overdue", object_id=str(m.pk)).exists()
    [notice] = notices(staff, "supervise")
    assert "督办" in notice.title and "签收" in notice.title
    assert not Notice.objects.filter(kind="supervise").exclude(recipient=staff).exists()

    # Nothing new while the escalation delay (24 h) runs, and nothing twice.
    assert sweep(wednesday + dt.timedelta(hours=23)).as_dict()["notices"] == 0
    result = sweep(wednesday + dt.timedelta(hours=25))
    assert result.escalated == 1
    m.refresh_from_db()
    assert m.escalated_at == wednesday + dt.timedelta(hours=25) and events(m, "escalate") == 1
    [up] = Notice.objects.filter(kind="escalate")
    assert up.recipient == users["yuzhong"]  # the district above 解放碑街道
    assert "升级督办" in up.title and m.number in up.title
    assert "至今仍未办理" in up.body and f"主办单位：{m.lead_unit.name}" in up.body

    again = sweep(wednesday + dt.timedelta(days=3))
    assert (again.overdue, again.supervised, again.escalated, again.notices) == (0, 0, 0, 0)
    # 督办 and 升级督办; besides them, the missed contact deadline's own notice (swept apart).
    assert Notice.objects.filter(object_id=str(m.pk)).exclude(kind="contact_overdue").count() == 2
    assert Notice.objects.filter(object_id=str(m.pk), kind="contact_overdue").count() == 1
    assert [events(m, a) for a in ("overdue", "supervise", "escalate")] == [1, 1, 1]


def test_a_matter_waiting_for_acceptance_goes_to_the_street_then_the_district(
    new_matter: Any, users: Any
) -> None:
    m = new_matter()  # submitted; 立案派遣 within 1 working day
    sweep(at(days=2))
    street, district, city = users["jiefangbei"], users["yuzhong"], users["city_admin"]
    assert [n.recipient for n in Notice.objects.filter(object_id=str(m.pk))] == [street]
    sweep(at(days=3, hours=1))
    up = Notice.objects.get(object_id=str(m.pk), kind="escalate")
    assert up.recipient == district
    assert not Notice.objects.filter(recipient=city).exists()


def test_a_new_stage_brings_a_new_warning_and_a_new_deadline(
    dispatched: Matter, staff: User
) -> None:
    sweep(at(days=1))
    m = s.matter_sign(actor=staff, matter=dispatched, at=at(days=1, hours=1))
    assert m.due_at == m.handle_due and not m.overdue
    days_before = m.handle_due - dt.timedelta(hours=12)
    result = sweep(days_before)
    assert (result.warned, result.overdue) == (1, 0)
    assert ["签收" in n.title for n in notices(staff, "warn")] == [True, False]


def test_suspended_matters_are_left_alone(dispatched: Matter, users: Any) -> None:
    s.matter_suspend(
        actor=users["yuzhong"], matter=dispatched, reason="等待法院判决", at=at(hours=1)
    )
    result = sweep(at(days=30))
    assert result.as_dict() == sweep(at(days=31)).as_dict()
    assert (result.warned, result.overdue, result.escalated) == (0, 0, 0)
    assert not Notice.objects.filter(object_id=str(dispatched.pk)).exists()
    assert events(dispatched, "overdue") == 0


def test_closed_matters_are_left_alone(dispatched: Matter, staff: User, users: Any) -> None:
    officer = users["jiefangbei"]
    m = s.matter_sign(actor=staff, matter=dispatched, at=at(hours=1))
    m = s.matter_report(actor=staff, matter=m, result="已修复", at=at(hours=5))
    m = s.matter_verify(actor=officer, matter=m, passed=True, at=at(hours=6))
    s.matter_close(actor=officer, matter=m, at=at(hours=7))
    assert sweep(at(days=40)).as_dict()["notices"] == 0


@override_settings(ZHILI_WARN_BEFORE_HOURS=0, ZHILI_ESCALATE_AFTER_HOURS=2)
def test_settings_turn_warnings_off_and_shorten_escalation(dispatched: Matter) -> None:
    assert sweep(at(days=1)).warned == 0
    sweep(at(days=2))
    assert sweep(at(days=2, hours=3)).escalated == 1


def test_the_task_runs_the_sweep(dispatched: Matter, staff: User) -> None:
    result = sweep_deadlines.call()  # now: long after the 2026-06 deadline
    assert result["supervised"] == 1
    assert notices(staff, "supervise")


def test_the_worker_runs_an_enqueued_sweep_once(dispatched: Matter, staff: User) -> None:
    call_command("worker", "--once", verbosity=0)
    done = DBTaskResult.objects.get(task_path="zhili.matters.tasks.sweep_deadlines")
    assert done.status == "SUCCESSFUL" and done.return_value["supervised"] == 1
    assert notices(staff, "supervise")
    # A second run enqueues and runs a new sweep, which finds nothing more to do.
    call_command("worker", "--once", verbosity=0)
    latest = (
        DBTaskResult.objects.filter(task_path="zhili.matters.tasks.sweep_deadlines")
        .order_by("-enqueued_at")
        .first()
    )
    assert latest is not None and latest.return_value["notices"] == 0
    assert len(notices(staff, "supervise")) == 1


def test_a_task_enqueued_through_the_backend_is_run_by_the_worker(dispatched: Matter) -> None:
    result = sweep_deadlines.enqueue()
    call_command("worker", "--once", "--no-schedule", verbosity=0)
    result.refresh()
    assert result.status == "SUCCESSFUL" and result.return_value["overdue"] == 1


def test_the_worker_also_prunes_old_task_results(db: Any) -> None:
    from django.utils import timezone as tz

    old = sweep_deadlines.enqueue()
    call_command("worker", "--once", "--no-schedule", verbosity=0)
    DBTaskResult.objects.filter(pk=old.id).update(finished_at=tz.now() - dt.timedelta(days=15))
    call_command("worker", "--once", verbosity=0)  # enqueues the sweep and the pruning
    assert not DBTaskResult.objects.filter(pk=old.id).exists()
    assert DBTaskResult.objects.filter(task_path="zhili.core.tasks.prune_task_results").exists()


def test_the_clocks_events_read_in_the_readers_language(
    dispatched: Matter, login: Any, settings: Any
) -> None:
    """The sweep stores its notes in the language the worker ran in (Chinese); the matter's page
    shows its overdue, 督办 and 升级督办 steps from their data, in the reader's language."""
    wednesday = at(days=2)
    sweep(wednesday)
    sweep(wednesday + dt.timedelta(hours=25))
    m = Matter.objects.get(pk=dispatched.pk)
    supervise = MatterEvent.objects.get(matter=m, action="supervise")
    assert "督促办理" in supervise.note and supervise.data["unit_name"] == "渝中区住房城乡建委"
    client = login("jiefangbei")

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/matters/{m.number}/").content.decode()
    timeline = page[page.index('id="timeline"') :]
    for stored in MatterEvent.objects.filter(
        matter=m, action__in=("overdue", "supervise", "escalate")
    ):
        assert stored.note and stored.note not in timeline
    assert "Lead: 渝中区住房城乡建委" in timeline and "level 1" in timeline.lower()
    assert "督促" not in timeline and "时限" not in timeline

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    timeline = client.get(f"/matters/{m.number}/").content.decode()
    assert "主办：渝中区住房城乡建委" in timeline and "第 1 级" in timeline
