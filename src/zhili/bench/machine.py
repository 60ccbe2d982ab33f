"""Matters lived in memory: the rows the services would write, without a query per step.

``Machine.matter_create`` builds the matter as ``services.matter_create`` does, and
``Machine.matter_<action>`` (→ ``Machine.act``) runs an action as the matters workflow
(``core.workflow.Workflow.transition``) does — the same state change (``matters.steps``), the same
deadline refresh, the same event, the same rollup arithmetic (``rollups.apply_event``) and the same
audit record — and keeps the rows for ``Machine.flush``, which writes them in bulk (``sink``) and
adds the rollup deltas with the services' own upsert (``rollups.flush``).

It has the services' signatures, so the demo's story generator runs on either. Permissions and
validation are not checked here: the generator only asks for legal steps, and the test
(tests/test_machine.py) proves that the same stories through the services write the same rows.
Co-units and attachments beyond the event links are not modelled.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import random
from collections import Counter, defaultdict
from dataclasses import asdict
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from zhili.bench.sink import Ids, RollupStage, reset_sequences, write
from zhili.core.audit import root_path
from zhili.core.models import AuditEvent, Notice
from zhili.core.scoping import Grant
from zhili.matters import rollups, services, steps, supervision
from zhili.matters.actions import SPECS
from zhili.matters.deadlines import refresh_due
from zhili.matters.duplicates import RecentReports
from zhili.matters.models import (
    Category,
    Matter,
    MatterCounter,
    MatterEvent,
    MatterRollupState,
    RoutingRule,
)
from zhili.matters.questions import check_answers
from zhili.matters.responsibility import STAGES, Recipients, _ancestor_paths, _depth
from zhili.matters.services import sample_rate
from zhili.matters.triage import mode_after
from zhili.org.models import RoleGrant, User

EVENT_ATTACHMENTS = MatterEvent.attachments.through
MATTER = "matters.matter"


def _defaults(action: str) -> dict[str, Any]:
    """The inputs a service takes by default (``contacted=True`` for 处置反馈), so the machine
    runs the spec with the same inputs when the caller leaves them out."""
    found = _DEFAULTS.get(action)
    if found is None:
        params = inspect.signature(getattr(services, f"matter_{action}")).parameters.values()
        skip = {"actor", "matter", "version", "at", "attachments"}
        found = {
            p.name: p.default for p in params if p.default is not p.empty and p.name not in skip
        }
        _DEFAULTS[action] = found
    return found


_DEFAULTS: dict[str, dict[str, Any]] = {}


class Routing:
    """``routing.rule_unit`` from the rules read once: the deepest ancestor-or-self's rule."""

    def __init__(self) -> None:
        self.rules: dict[tuple[int, str], Any] = {}
        for r in RoutingRule.objects.select_related("unit", "area"):
            self.rules[(r.category_id, r.area.code)] = r.unit

    def unit(self, category: Category, area: Any) -> Any:
        for code in reversed([*area.ancestor_codes, area.code]):
            found = self.rules.get((category.pk, code))
            if found is not None:
                return found
        return None


class PreloadedRecipients(Recipients):
    """``responsibility.Recipients`` with every grant and every unit's staff read at once: a bulk
    load asks about tens of thousands of areas, one query each otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self._by_path: dict[str, list[tuple[int, Grant, User]]] = defaultdict(list)
        grants = RoleGrant.objects.filter(area__valid_to__isnull=True, user__is_active=True)
        for g in grants.select_related("user", "role", "area").order_by("id"):
            grant = Grant(g.area.path, g.area_id, frozenset(g.role.permissions))
            self._by_path[g.area.path].append((_depth(g.area.path), grant, g.user))
        self._all_staff: dict[int, list[User]] = defaultdict(list)
        for u in User.objects.filter(is_active=True, unit__isnull=False):  # ordered by username
            self._all_staff[u.unit_id].append(u)  # type: ignore[index]

    def _grants_over(self, area_path: str) -> list[tuple[int, Grant, User]]:
        if area_path not in self._grants:
            self._grants[area_path] = [
                entry for p in _ancestor_paths(area_path) for entry in self._by_path.get(p, ())
            ]
        return self._grants[area_path]

    def unit_staff(self, unit_id: int) -> list[User]:
        return self._all_staff.get(unit_id, [])


class Event:
    """The attributes of an event that ``rollups.apply_event`` reads."""

    __slots__ = ("action", "at", "data", "from_status", "to_status")

    def __init__(
        self, action: str, from_status: str, to_status: str, at: dt.datetime, data: dict[str, Any]
    ) -> None:
        self.action, self.from_status, self.to_status = action, from_status, to_status
        self.at, self.data = at, data


class Machine:
    def __init__(self, *, ids: Ids | None = None, stage: RollupStage | None = None) -> None:
        self.ids = ids or Ids()
        self.stage = stage  # the rollups' rows appended there, summed once by its merge
        self.routing = Routing()
        self.counters: dict[dt.date, int] = {}
        self.deltas = rollups.Deltas()
        self.matters: list[Matter] = []
        self.states: dict[int, rollups.State] = {}
        # Each matter's own counts and the 三事/四事 they are under (to move them on a change).
        self.own: dict[int, rollups.Deltas] = {}
        self.dims: dict[int, rollups.Dims] = {}
        self.events: list[dict[str, Any]] = []
        self.audits: list[dict[str, Any]] = []
        self.event_attachments: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []
        self.swept_at: dt.datetime | None = None
        self.swept: Counter[str] = Counter()
        self._recipients: Recipients | None = None
        self._root = root_path()
        # The window of reports already lived, to tell repeats without reading the table back.
        self.recent = RecentReports()

    # The number: Q + local date + the day's sequence, continuing MatterCounter.
    def _number(self, now: dt.datetime) -> str:
        day = timezone.localtime(now).date()
        if day not in self.counters:
            row = MatterCounter.objects.filter(day=day).values_list("last", flat=True).first()
            self.counters[day] = row or 0
        self.counters[day] += 1
        return f"Q{day:%Y%m%d}{self.counters[day]:06d}"

    def matter_create(
        self,
        *,
        actor: Any,
        category: Category,
        channel: str,
        description: str,
        title: str = "",
        area: Any,
        lat: float | None = None,
        lng: float | None = None,
        address: str = "",
        reporter_name: str = "",
        reporter_phone: str = "",
        anonymous: bool = False,
        answers: dict[str, Any] | None = None,
        at: dt.datetime,
    ) -> Matter:
        """受理, as services.matter_create writes it."""
        staff = actor is not None and getattr(actor, "is_authenticated", False)
        path = area.path
        m = Matter(
            id=self.ids.next(Matter),
            number=self._number(at),
            title=title or description[:30],
            description=description,
            channel=channel,
            handling_mode=category.handling_mode,
            area_path=path,
            district_code=path.split("/")[1],
            address=address,
            lat=lat,
            lng=lng,
            anonymous=anonymous,
            reporter_name="" if anonymous else reporter_name,
            reporter_phone="" if anonymous else reporter_phone,
            answers=check_answers(category, answers or {}),
            created_by_id=actor.pk if staff else None,
            created_at=at,
        )
        m.category = category
        m.area = area
        m.suggested_unit = self.routing.unit(category, area)
        steps.submit(m, at)
        self.matters.append(m)
        who = actor if staff else None
        self._event(
            m,
            who,
            "submit",
            "",
            {"channel": channel},
            at,
            "",
            actor_name=actor.username if staff else "群众",
        )
        self.audits.append(
            self._audit(
                who,
                "matter.create",
                m,
                at,
                before=None,
                after={"number": m.number, "category": category.code, "channel": channel},
            )
        )
        return m

    def __getattr__(self, name: str) -> Any:
        """``matter_<action>(actor=, matter=, at=, ...)`` as in services.py, for every action."""
        action = name.removeprefix("matter_")
        if name.startswith("matter_") and action in SPECS:
            return functools.partial(self._service_action, action)
        raise AttributeError(name)

    def _service_action(
        self, action: str, *, actor: Any, matter: Matter, at: dt.datetime, **kw: Any
    ) -> Matter:
        files = kw.pop("attachments", None)
        inputs = {**_defaults(action), **kw}
        if action == "self_handle":
            inputs["sampled"] = random.random() < sample_rate()
        if action in ("triage", "mode"):  # what the services record: the mode before and after
            inputs["from_mode"] = matter.handling_mode
            if action == "triage":
                inputs["mode"] = mode_after(matter, inputs["triage"])
        return self.act(
            matter,
            action,
            actor=actor,
            at=at,
            inputs=inputs,
            attachments=[a.pk for a in files] if files else None,
        )

    def act(
        self,
        m: Matter,
        action: str,
        *,
        actor: Any,
        at: dt.datetime,
        inputs: dict[str, Any],
        attachments: list[int] | None = None,
    ) -> Matter:
        """One action of the closed loop, as its spec (``matters.actions``) and the workflow run
        it: the step, the deadline, the version, the event, the rollups, the audit."""
        spec = SPECS[action]
        before = m.status
        new = spec.step(m, at, inputs)
        if new:
            m.status = new
        refresh_due(m, at)
        m.version += 1
        data = spec.data(inputs)
        note = str(inputs.get(spec.note) or "")
        unit = spec.event_unit(inputs)
        self._event(
            m,
            actor,
            action,
            before,
            data,
            at,
            note,
            actor_name=getattr(actor, "username", "") or "system",
            unit_id=unit.pk if unit is not None else getattr(actor, "unit_id", None),
            attachments=attachments,
        )
        self.audits.append(
            self._audit(
                actor,
                f"matter.{action}",
                m,
                at,
                before={"status": before},
                after={"status": m.status, **data},
                note=note,
            )
        )
        return m

    def _event(
        self,
        m: Matter,
        actor: Any,
        action: str,
        before: str,
        data: dict[str, Any],
        at: dt.datetime,
        note: str,
        *,
        actor_name: str,
        unit_id: int | None = None,
        attachments: list[int] | None = None,
    ) -> None:
        pk = self.ids.next(MatterEvent)
        staff = actor is not None and getattr(actor, "pk", None) is not None
        self.events.append(
            {
                "id": pk,
                "matter_id": m.pk,
                "action": action,
                "from_status": before,
                "to_status": m.status,
                "actor_id": actor.pk if staff and actor else None,
                "actor_name": actor_name,
                "unit_id": unit_id,
                "at": at,
                "note": note,
                "data": data,
            }
        )
        for att in attachments or ():
            self.event_attachments.append(
                {"id": self.ids.next(EVENT_ATTACHMENTS), "matterevent_id": pk, "attachment_id": att}
            )
        state = self.states.get(m.pk) or rollups.State()
        # Each matter's counts gather in its own Deltas, added to the batch's at the flush: when
        # its 三事/四事 change, they move with it (as rollups.record moves them in the table).
        own = self.own.get(m.pk)
        if own is None:
            own = self.own[m.pk] = rollups.Deltas()
        dims, was = rollups.dims_of(m), self.dims.get(m.pk)
        if was is not None and was != dims:
            own = self.own[m.pk] = own.rekeyed(dims)
        self.states[m.pk] = rollups.apply_event(
            own, m, Event(action, before, m.status, at, data), state
        )
        self.dims[m.pk] = dims

    def _audit(
        self,
        actor: Any,
        action: str,
        m: Matter,
        at: dt.datetime,
        *,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
        note: str = "",
    ) -> dict[str, Any]:
        staff = actor is not None and getattr(actor, "pk", None) is not None
        return {
            "id": self.ids.next(AuditEvent),
            "at": at,
            "actor_id": actor.pk if staff and actor else None,
            "actor_name": getattr(actor, "username", "")
            or ("system" if actor is None else str(actor)),
            "action": action,
            "object_type": MATTER,
            "object_id": str(m.pk),
            "object_repr": f"{m.number} {m.title}"[:255],
            "area_path": m.area_path or self._root,
            "before": before,
            "after": after,
            "note": note,
            "request_id": "",
            "ip": None,
        }

    # Writing ------------------------------------------------------------------------------------

    def pending(self) -> int:
        return len(self.matters)

    # The deadline sweep, as one pass of supervision.sweep at ``swept_at`` leaves the matters -----

    def sweep_as_of(self, now: dt.datetime, *, recipients: Recipients | None = None) -> None:
        """From now on, each flush leaves its matters as a sweep pass at ``now`` would: warned
        when due within the warning window, marked overdue and supervised when past due (the
        worker runs every few minutes, so a running city has no unswept backlog)."""
        self.swept_at = now
        self._recipients = recipients or self._recipients or PreloadedRecipients()

    def _sweep(self, now: dt.datetime) -> None:
        who = self._recipients
        assert who is not None
        warn_until = now + supervision.warn_before()
        warn = supervision.warn_before() > dt.timedelta(0)
        for m in self.matters:  # first the warnings, then the overdue, as sweep() runs them
            due = m.due_at
            if not (warn and m.status in STAGES and due is not None and now < due <= warn_until):
                continue
            if m.warned_for != supervision.stage_key(m):
                m.warned_for = supervision.stage_key(m)
                self._notify(who.responsible(m), m, supervision.warn_notice(m), now)
                self.swept["warned"] += 1
        for m in self.matters:
            if m.status not in STAGES or m.due_at is None or m.due_at >= now:
                continue
            m.overdue = True
            note, data = supervision.overdue_event(m)
            self._system_event(m, "overdue", now, note, data)
            people = who.responsible(m)
            m.supervised_at = now
            note, data, notice = supervision.supervise_texts(m, people)
            self._system_event(m, "supervise", now, note, data)
            self._notify(people, m, notice, now)
            self.swept["supervised"] += 1
        for m in self.matters:  # 联系群众超时, swept on its own (supervision.contact_candidates)
            due = m.contact_due
            if m.status not in supervision.CONTACT_STATUSES or m.contacted_at is not None:
                continue
            if due is None or due >= now:
                continue
            if m.contact_overdue_at is not None and m.contact_overdue_at >= due:
                continue
            people = who.responsible(m)
            m.contact_overdue_at = now
            note, data, notice = supervision.contact_overdue_texts(m, people)
            self._system_event(m, "contact_overdue", now, note, data)
            self._notify(people, m, notice, now)
            self.swept["contact_overdue"] += 1

    def _system_event(
        self, m: Matter, action: str, now: dt.datetime, note: str, data: dict[str, Any]
    ) -> None:
        self._event(m, None, action, m.status, data, now, note, actor_name="system")
        status = {"status": m.status}
        self.audits.append(
            self._audit(
                None, f"matter.{action}", m, now, before=status, after={**status, **data}, note=note
            )
        )

    def _notify(
        self, people: list[Any], m: Matter, notice: dict[str, str], now: dt.datetime
    ) -> None:
        for user in {u.pk: u for u in people}.values():
            self.notices.append(
                {
                    "id": self.ids.next(Notice),
                    "recipient_id": user.pk,
                    "kind": notice["kind"],
                    "title": notice["title"][:200],
                    "body": notice["body"],
                    "url": notice["url"][:300],
                    "object_type": MATTER,
                    "object_id": str(m.pk),
                    "dedupe_key": notice["dedupe_key"][:120],
                    "created_at": now,
                }
            )
            self.swept["notices"] += 1

    @transaction.atomic
    def flush(self) -> dict[str, int]:
        """Write what was generated since the last flush; returns rows written per table."""
        if self.swept_at is not None:
            self._sweep(self.swept_at)
        out = {"matters": write(Matter, (_matter_row(m) for m in self.matters))}
        for own in self.own.values():
            self.deltas.add(own)
        found = self.recent.repeated_ids(self.matters)
        rollups.add_repeats(self.deltas, self.matters, self.states, found)
        out |= {
            "events": write(MatterEvent, self.events),
            "event_attachments": write(EVENT_ATTACHMENTS, self.event_attachments),
            "audit": write(AuditEvent, self.audits),
            "notices": write(Notice, self.notices),
            "states": write(
                MatterRollupState,
                ({"matter_id": pk, **asdict(s)} for pk, s in self.states.items()),
            ),
        }
        rollups.flush(self.deltas, self.stage.writes() if self.stage else None)
        if connection.vendor == "sqlite":  # keep the write-ahead log from growing without end
            transaction.on_commit(_checkpoint)
        self.matters, self.events, self.audits = [], [], []
        self.event_attachments, self.states, self.deltas = [], {}, rollups.Deltas()
        self.own, self.dims = {}, {}
        self.notices = []
        return out

    @transaction.atomic
    def finish(self, *, sequences: bool = True) -> None:
        """After the last flush: the day counters and (unless a parent process does it once for
        all shards) the database sequences."""
        self.flush()
        for day, last in self.counters.items():
            MatterCounter.objects.update_or_create(day=day, defaults={"last": last})
        if sequences:
            reset_all_sequences()


# Tables whose primary keys the machine assigns, with room per matter for a shard's id range.
ID_ROOM: dict[type[models.Model], int] = {
    Matter: 1,
    MatterEvent: 32,
    AuditEvent: 32,
    Notice: 32,
    EVENT_ATTACHMENTS: 4,
}


def reset_all_sequences() -> None:
    reset_sequences([*ID_ROOM, MatterCounter])


def _checkpoint() -> None:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


_MATTER_FIELDS = [f.attname for f in Matter._meta.concrete_fields]


def _matter_row(m: Matter) -> dict[str, Any]:
    return {name: getattr(m, name) for name in _MATTER_FIELDS}
