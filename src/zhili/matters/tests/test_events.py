"""A matter's events on the core kernel: immutable three times over (model, queryset, database),
and every action a person can meet shown in words — on the staff timeline, in the API and on the
resident's lookup page — never as a stored code or a dump of its data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.template import Context, Template
from django.utils import timezone

from zhili.core import labels
from zhili.core.events import AppendOnlyError
from zhili.matters import catalogue  # noqa: F401 (registers the catalogue's audit labels)
from zhili.matters import services as s
from zhili.matters.models import Category, Matter, MatterEvent, Status
from zhili.matters.supervision import sweep
from zhili.matters.workflow import OTHER_EVENTS, RULES, WORKFLOW
from zhili.open311 import services as open311  # noqa: F401 (registers its audit labels)
from zhili.org.models import Unit

pytestmark = pytest.mark.django_db

KIND = "matters.matterevent"
GRID = "500103003013001"
MONDAY = timezone.make_aware(dt.datetime(2026, 6, 1, 9, 0))
PHONE = "13800138000"

# Typical ``data`` of each action, as the services and the sweep record it.
DATA: dict[str, dict[str, Any]] = {
    "submit": {"channel": "hotline"},
    "triage": {"triage": "private"},
    "dispatch": {"unit": 1, "unit_name": "渝中区住房城乡建委", "co_units": [2]},
    "sign": {"contacted": True},
    "verify": {"passed": False},
    "rate": {"solved": True, "satisfied": False},
    "extend": {"days": 3},
    "approve_extension": {"approved": True},
    "merge": {"into": "Q20260601000001"},
    "overdue": {"stage": "sign", "due_at": "2026-06-02T15:59:59+00:00"},
    "supervise": {"stage": "handle", "to": ["unit_yz_jw"]},
    "escalate": {"stage": "dispatch", "to": []},
}
CODE = re.compile(r"\b[a-z_]{3,}\b")  # a stored code ("overdue", "unit_name", "system")


def test_every_action_and_state_has_a_readable_label() -> None:
    registered = labels.actions(KIND)
    assert set(RULES) | set(OTHER_EVENTS) <= set(registered)
    template = Template("{{ e.label }}|{{ e.summary }}|{{ e.to_label }}")
    for action in registered:
        event = MatterEvent(action=action, to_status=Status.HANDLING, data=DATA.get(action, {}))
        label, summary, state = template.render(Context({"e": event})).split("|")
        assert labels.is_readable(label), f"{action}: {label!r}"
        assert label != action and state == "处置中"
        assert not CODE.search(summary), f"{action}: {summary!r}"
        if action in DATA and action not in ("sign",):
            assert labels.is_readable(summary), f"{action}: {summary!r}"
    for status in Status.values:
        assert labels.is_readable(labels.status_label(KIND, status))
    audited = [f"matter.{a}" for a in registered] + ["matter.create", "privacy.reveal"]
    audited += ["category.create", "category.update", "category.import"]
    audited += ["routing_rule.set", "routing_rule.delete"]
    audited += ["open311key.create", "open311key.revoke", "open311.submit"]
    for action in audited:
        assert labels.is_readable(labels.audit_label(action)), action


def test_recording_an_unlabelled_action_is_refused(users: dict[str, Any]) -> None:
    m = _matter(users)
    with pytest.raises(KeyError), transaction.atomic():
        WORKFLOW.record(actor=None, obj=m, action="teleport")


def test_events_refuse_save_update_and_delete(users: dict[str, Any]) -> None:
    m = _matter(users)
    event = MatterEvent.objects.get(matter=m)
    event.note = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        MatterEvent.objects.filter(pk=event.pk).update(note="改写历史")
    with pytest.raises(AppendOnlyError):
        MatterEvent.objects.filter(matter=m).delete()
    with pytest.raises(ProtectedError):  # a matter cannot go without its history
        Matter.objects.get(pk=m.pk).delete()
    assert MatterEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE matters_matterevent SET note = 'x' WHERE id = %s",
        "DELETE FROM matters_matterevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_changes(users: dict[str, Any], sql: str) -> None:
    event = MatterEvent.objects.get(matter=_matter(users))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert MatterEvent.objects.get(pk=event.pk).note == ""


def _matter(users: dict[str, Any], **kw: Any) -> Matter:
    from zhili.areas.models import Area

    return s.matter_create(
        actor=kw.pop("actor", users["jiefangbei"]),
        category=Category.objects.get(code="road-damage"),
        channel=kw.pop("channel", "staff"),
        title="民生路人行道破损",
        description="民生路 12 号门口人行道地砖破损",
        area=Area.objects.get(code=GRID),
        reporter_name="张三",
        reporter_phone=PHONE,
        at=kw.pop("at", MONDAY),
    )


def _visible_text(html: str) -> str:
    """What a person reads: the page without its tags, scripts and styles."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def lived(users: dict[str, Any]) -> Matter:
    """A resident's matter, dispatched, left past its deadline (overdue, supervised, escalated)
    and then handled and closed."""
    officer, staff = users["jiefangbei"], users["unit_yz_jw"]
    unit = Unit.objects.get(name="渝中区住房城乡建委")
    m = _matter(users, actor=None, channel="web")
    m = s.matter_accept(actor=officer, matter=m, at=MONDAY + dt.timedelta(hours=1))
    m = s.matter_dispatch(actor=officer, matter=m, unit=unit, at=MONDAY + dt.timedelta(hours=2))
    sweep(MONDAY + dt.timedelta(days=2))
    sweep(MONDAY + dt.timedelta(days=3, hours=1))
    m = Matter.objects.get(pk=m.pk)
    m = s.matter_sign(actor=staff, matter=m, contacted=True, at=MONDAY + dt.timedelta(days=4))
    m = s.matter_report(actor=staff, matter=m, result="已修复", at=MONDAY + dt.timedelta(days=5))
    m = s.matter_verify(actor=officer, matter=m, passed=True, at=MONDAY + dt.timedelta(days=5))
    m = s.matter_close(actor=officer, matter=m, at=MONDAY + dt.timedelta(days=6))
    recorded = set(MatterEvent.objects.filter(matter=m).values_list("action", flat=True))
    assert {"submit", "overdue", "supervise", "escalate", "close"} <= recorded
    return m


def test_the_timeline_shows_words_not_codes(login: Any, lived: Matter) -> None:
    page = login("jiefangbei").get(f"/matters/{lived.number}/").content.decode()
    timeline = _visible_text(page[page.index('id="timeline"') :])
    for words in ("受理登记", "来源：群众网上提交", "群众", "超期", "督办", "升级督办", "系统"):
        assert words in timeline, words
    assert "主办：渝中区住房城乡建委" in timeline and "已联系群众" in timeline
    codes = set(RULES) | set(OTHER_EVENTS) | set(Status.values) | {"system", "unit_name"}
    found = {w for w in CODE.findall(timeline) if w in codes}
    assert not found, found


def test_the_api_gives_each_event_its_label(client: Any, bearer: Any, lived: Matter) -> None:
    resp = client.get(f"/api/v1/matters/{lived.number}/events", headers=bearer("jiefangbei"))
    assert resp.status_code == 200
    rows = {e["action"]: e for e in resp.json()}
    assert rows["supervise"]["label"] == "督办" and rows["supervise"]["actor_display"] == "系统"
    assert rows["submit"]["summary"] == "来源：群众网上提交"
    assert rows["close"]["to_label"] == "已结案待回访"


def test_the_public_lookup_shows_steps_without_codes_or_staff(client: Any, lived: Matter) -> None:
    cache.clear()  # the lookup is throttled per address
    resp = client.post("/public/lookup/", {"number": lived.number, "phone_last4": PHONE[-4:]})
    assert resp.status_code == 200
    text = _visible_text(resp.content.decode())
    assert "已派遣至责任单位" in text and "已办结" in text
    assert "解放碑街道工作人员" not in text and "jiefangbei" not in text  # no staff names
    assert "督办" not in text and "系统" not in text  # internal supervision stays internal
    codes = set(RULES) | set(OTHER_EVENTS) | set(Status.values) | {"system"}
    assert not {w for w in CODE.findall(text) if w in codes}


def test_names_the_platform_stored_read_in_the_readers_language(users: Any) -> None:
    """ "系统" and "群众" are stored in the platform's language; a person's name is data."""
    from django.utils import translation

    from zhili.core.system import system_user

    def shown(**fields: Any) -> str:
        return MatterEvent(action="submit", **fields).actor_display

    with translation.override("en"):
        assert shown(actor_name="群众") == "Resident"
        assert shown(actor_name="") == shown(actor_name="系统") == "System"
        assert shown(actor=system_user(), actor_name="系统") == "System"
        assert shown(actor_name="张三") == "张三"
        officer = users["jiefangbei"]
        assert shown(actor=officer, actor_name="x") == officer.display_name
    with translation.override("zh-hans"):
        assert shown(actor_name="群众") == "群众" and shown(actor=system_user()) == "系统"
