"""Time limits and supervision (督办): the periodic deadline sweep.

For every open matter whose current stage has a deadline (``Matter.due_at``, see deadlines.py):

1. **warn** the responsible people ``ZHILI_WARN_BEFORE_HOURS`` before it, once per stage
   (``Matter.warned_for`` holds the stage key);
2. when it passes, **mark the matter overdue** (event "overdue") and at once issue a
   **supervision notice** 督办 (event "supervise", ``Matter.supervised_at``);
3. ``ZHILI_ESCALATE_AFTER_HOURS`` after the supervision notice, if the same deadline is still
   missed, **escalate** to the officers one level above (event "escalate", ``Matter.escalated_at``).

Suspended (挂起) and finished matters are not open, so the clock and the sweep leave them alone.

Each step selects its candidates in SQL through the (status, due_at) index with conditions that
exclude what was already done, so matters that need nothing are never loaded into Python. Each
candidate is then locked, re-checked and handled in its own short transaction; notices carry a
dedupe key.
Running the sweep twice, or two sweeps at once, therefore never duplicates an event or a notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core import tunables
from zhili.core.errors import NotFound
from zhili.core.i18n import Label
from zhili.core.notify import notify
from zhili.matters.models import OPEN_STATUSES, STAGE_LABELS, Matter, MatterEvent, Status
from zhili.matters.responsibility import STAGES, Recipients
from zhili.matters.workflow import WORKFLOW

log = logging.getLogger("zhili.supervision")


def warn_before() -> dt.timedelta:
    return dt.timedelta(hours=float(tunables.value("matters.warn_before_hours")))


def escalate_after() -> dt.timedelta:
    return dt.timedelta(hours=float(tunables.value("matters.escalate_after_hours")))


MAX_CLIMB = 3  # street → district → city: never more levels than the tree has above a street


def escalate_again() -> dt.timedelta:
    """How long each further level waits after the previous escalation (业务参数)."""
    return dt.timedelta(hours=float(tunables.value("matters.escalate_again_hours")))


def batch_size() -> int:
    return int(getattr(settings, "ZHILI_SWEEP_BATCH", 200))


# Stage keys: a new dispatch, a reopening or an approved extension starts a new deadline, so
# each of them earns a new warning. The same key is computed in SQL to select candidates.


def stage_key(m: Matter) -> str:
    return f"{STAGES[m.status].key}:{m.dispatch_count}.{m.reopen_count}.{m.extension_count}"


def _stage_key_sql(key: str) -> Concat:
    def text(name: str) -> Cast:
        return Cast(name, output_field=CharField())

    return Concat(
        Value(f"{key}:"),
        text("dispatch_count"),
        Value("."),
        text("reopen_count"),
        Value("."),
        text("extension_count"),
        output_field=CharField(),
    )


# The steps, one matter at a time ----------------------------------------------------------------


def _lock(matter: Matter | int) -> Matter | None:
    """The matter locked as a transition locks it; None when it is gone."""
    try:
        locked: Matter = WORKFLOW.lock(matter)
    except NotFound:
        return None
    return locked


def _url(m: Matter) -> str:
    try:
        return reverse("matters:detail", kwargs={"number": m.number})
    except NoReverseMatch:
        return ""


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime(gettext("%m月%d日 %H:%M"))


def _span(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    return (
        gettext(" %(hours)s 天") % {"hours": hours // 24}
        if hours >= 48
        else gettext(" %(hours)s 小时") % {"hours": hours}
    )


def _deadline_label(m: Matter) -> Label:
    return STAGE_LABELS[STAGES[m.status].deadline]


def _due_stamp(m: Matter) -> int:
    assert m.due_at is not None
    return int(m.due_at.timestamp())


def _event(m: Matter, action: str, now: dt.datetime, note: str, data: dict[str, Any]) -> None:
    """What the clock did, recorded by the system through the workflow (event, rollups, audit) in
    the caller's transaction, on the matter it has locked and saved."""
    WORKFLOW.record(actor=None, obj=m, action=action, note=note, data=data, at=now)


def _is_open_with_deadline(m: Matter | None) -> bool:
    return m is not None and m.status in STAGES and m.due_at is not None


def _supervised_for_deadline(m: Matter) -> bool:
    """Was this deadline already handled? (A later deadline makes an old 督办 stale.)"""
    return m.supervised_at is not None and m.due_at is not None and m.supervised_at >= m.due_at


@transaction.atomic
def matter_warn(
    *, matter: Matter | int, now: dt.datetime, recipients: Recipients | None = None
) -> int:
    """Warn the responsible people that the current stage's deadline is near; once per stage.
    Returns the number of notices sent (-1 when nothing was due)."""
    m = _lock(matter)
    if not _is_open_with_deadline(m):
        return -1
    assert m is not None and m.due_at is not None
    if not now < m.due_at <= now + warn_before() or m.warned_for == stage_key(m):
        return -1
    who = recipients or Recipients()
    m.warned_for = stage_key(m)
    m.save(update_fields=["warned_for"])
    notices = notify(recipients=who.responsible(m), obj=m, **warn_notice(m))
    return len(notices)


def warn_notice(m: Matter) -> dict[str, str]:
    """The 临期提醒 notice (kind, title, body, url, dedupe key) for ``m``'s current stage."""
    assert m.due_at is not None
    label = _deadline_label(m)
    return {
        "kind": "warn",
        "title": gettext("【临期提醒】%(number)s 将于 %(_when)s 到达%(label)s时限")
        % {"number": m.number, "_when": _when(m.due_at), "label": label},
        "body": gettext(
            "“%(title)s”（%(get_status_display)s）的%(label)s时限为 %(_when)s，请抓紧办理。"
        )
        % {
            "title": m.title,
            "get_status_display": m.get_status_display(),
            "label": label,
            "_when": _when(m.due_at),
        },
        "url": _url(m),
        "dedupe_key": f"warn:{m.pk}:{stage_key(m)}",
    }


@transaction.atomic
def matter_mark_overdue(*, matter: Matter | int, now: dt.datetime) -> Matter | None:
    """超期: flag the matter and append one "overdue" event (with its audit) per missed
    deadline. Returns the matter, or None when there is nothing to mark."""
    m = _lock(matter)
    if not _is_open_with_deadline(m):
        return None
    assert m is not None and m.due_at is not None
    if m.due_at >= now or _supervised_for_deadline(m):
        return None
    due = _due_iso(m)
    if MatterEvent.objects.filter(matter=m, action="overdue", data__due_at=due).exists():
        return m
    if not m.overdue:
        m.overdue = True
        m.save(update_fields=["overdue"])
    _event(m, "overdue", now, *overdue_event(m))
    return m


def overdue_event(m: Matter) -> tuple[str, dict[str, Any]]:
    """The note and data of the "overdue" event for ``m``'s current deadline."""
    assert m.due_at is not None
    label = _deadline_label(m)
    note = gettext("已超过%(label)s时限（%(_when)s）") % {"label": label, "_when": _when(m.due_at)}
    return note, {"stage": STAGES[m.status].deadline, "due_at": _due_iso(m)}


def _due_iso(m: Matter) -> str:
    """The deadline as the "overdue" event records it: ISO 8601 in UTC, as read back from the
    database (the sweep looks for an event with exactly this text)."""
    assert m.due_at is not None
    return m.due_at.astimezone(dt.UTC).isoformat()


@transaction.atomic
def matter_supervise(
    *, matter: Matter | int, now: dt.datetime, recipients: Recipients | None = None
) -> int:
    """督办: the supervision notice to the responsible people of an overdue matter, once per
    missed deadline. Returns the number of notices sent (-1 when nothing was due)."""
    m = _lock(matter)
    if not _is_open_with_deadline(m):
        return -1
    assert m is not None and m.due_at is not None
    if m.due_at >= now or _supervised_for_deadline(m):
        return -1
    who = recipients or Recipients()
    people = who.responsible(m)
    m.overdue = True
    m.supervised_at = now
    m.save(update_fields=["overdue", "supervised_at"])
    note, data, notice = supervise_texts(m, people)
    _event(m, "supervise", now, note, data)
    return len(notify(recipients=people, obj=m, **notice))


def supervise_texts(m: Matter, people: list[Any]) -> tuple[str, dict[str, Any], dict[str, str]]:
    """督办: the event's note and data, and the notice (kind, title, body, url, dedupe key)."""
    assert m.due_at is not None
    label = _deadline_label(m)
    unit = gettext("（主办单位：%(name)s）") % {"name": m.lead_unit.name} if m.lead_unit else ""
    data = {"stage": STAGES[m.status].deadline, "to": [u.username for u in people]}
    if m.lead_unit:
        data["unit_name"] = m.lead_unit.name
    notice = {
        "kind": "supervise",
        "title": gettext("【督办】%(number)s 已超过%(label)s时限")
        % {"number": m.number, "label": label},
        "body": gettext(
            "“%(title)s”（%(status)s）的%(label)s时限 %(when)s 已过，请立即办理并反馈。%(unit)s"
        )
        % {
            "title": m.title,
            "status": m.get_status_display(),
            "label": label,
            "when": _when(m.due_at),
            "unit": unit,
        },
        "url": _url(m),
        "dedupe_key": f"supervise:{m.pk}:{_due_stamp(m)}",
    }
    return (
        gettext("超过%(label)s时限，督促办理%(unit)s") % {"label": label, "unit": unit},
        data,
        notice,
    )


@transaction.atomic
def matter_escalate(
    *, matter: Matter | int, now: dt.datetime, recipients: Recipients | None = None
) -> int:
    """升级督办, climbing the tree: still overdue ``escalate_after_hours`` after the supervision
    notice, the dispatchers one level above hear about it (the district for a street's matter);
    still overdue ``escalate_again_hours`` after that, the level above them (the city); and so on
    until nobody sits higher. A new deadline starts the climb again from the bottom. Returns
    notices sent (-1: nothing due)."""
    m = _lock(matter)
    if not _is_open_with_deadline(m):
        return -1
    assert m is not None and m.due_at is not None
    if not (m.overdue and _supervised_for_deadline(m) and m.supervised_at is not None):
        return -1
    if m.supervised_at > now - escalate_after():
        return -1
    climbing = m.escalated_at is not None and m.escalated_at >= m.supervised_at
    level = m.escalation_level if climbing else 0
    if climbing and m.escalated_at is not None and m.escalated_at > now - escalate_again():
        return -1
    who = recipients or Recipients()
    people = who.above(m, steps=level + 1)
    if not people and level > 0:
        m.escalation_level = MAX_CLIMB  # nobody higher: the climb ends (no longer a candidate)
        m.save(update_fields=["escalation_level"])
        return -1
    m.escalated_at, m.escalation_level = now, level + 1
    m.save(update_fields=["escalated_at", "escalation_level"])
    label = _deadline_label(m)
    late = _span(now - m.due_at)
    _event(
        m,
        "escalate",
        now,
        gettext("超过%(label)s时限%(late)s仍未办理，升级督办") % {"label": label, "late": late},
        {
            "stage": STAGES[m.status].deadline,
            "to": [u.username for u in people],
            "level": level + 1,
        },
    )
    notices = notify(
        recipients=people,
        kind="escalate",
        title=gettext("【升级督办】%(number)s 超过%(label)s时限%(late)s")
        % {"number": m.number, "label": label, "late": late},
        body=gettext("“%(title)s”（%(status)s）已于 %(when)s 督办，至今仍未办理。%(unit)s")
        % {
            "title": m.title,
            "status": m.get_status_display(),
            "when": _when(m.supervised_at),
            "unit": gettext("主办单位：%(name)s") % {"name": m.lead_unit.name}
            if m.lead_unit
            else "",
        },
        url=_url(m),
        obj=m,
        dedupe_key=f"escalate:{m.pk}:{_due_stamp(m)}" + (f":{level + 1}" if level else ""),
    )
    return len(notices)


CONTACT_STATUSES = (Status.DISPATCHED, Status.HANDLING)  # the unit must contact the resident


@transaction.atomic
def matter_contact_overdue(
    *, matter: Matter | int, now: dt.datetime, recipients: Recipients | None = None
) -> int:
    """联系群众超时: the contact deadline (``contact_due``, 响应率's) passed while the lead unit had
    not contacted the resident. It runs beside the stage's own deadline (a matter can be on time
    for 签收 and late for contact), so it is swept on its own: once per contact deadline (a resume
    that moves it earns a new one), an event and a notice to the lead unit's staff. Returns the
    notices sent (-1: nothing due)."""
    m = _lock(matter)
    if m is None or m.status not in CONTACT_STATUSES or m.contacted_at is not None:
        return -1
    if m.contact_due is None or m.contact_due >= now:
        return -1
    if m.contact_overdue_at is not None and m.contact_overdue_at >= m.contact_due:
        return -1
    people = (recipients or Recipients()).responsible(m)
    m.contact_overdue_at = now
    m.save(update_fields=["contact_overdue_at"])
    note, data, notice = contact_overdue_texts(m, people)
    _event(m, "contact_overdue", now, note, data)
    notices = notify(recipients=people, obj=m, **notice)
    return len(notices)


def contact_overdue_texts(
    m: Matter, people: list[Any]
) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The event's note and data and the notice of 联系群众超时 (also the bench machine's)."""
    assert m.contact_due is not None
    due = m.contact_due.astimezone(dt.UTC).isoformat()
    note = gettext("超过联系群众时限（%(_when)s）仍未联系反映人") % {"_when": _when(m.contact_due)}
    data = {"contact_due": due, "to": [u.username for u in people]}
    notice = {
        "kind": "contact_overdue",
        "title": gettext("【联系超时】%(number)s 已超过联系群众时限") % {"number": m.number},
        "body": gettext("“%(title)s”的联系群众时限 %(_when)s 已过，请立即联系反映人并记录。")
        % {"title": m.title, "_when": _when(m.contact_due)},
        "url": _url(m),
        "dedupe_key": f"contact:{m.pk}:{int(m.contact_due.timestamp())}",
    }
    return note, data, notice


def contact_candidates(now: dt.datetime) -> QuerySet[Matter]:
    """Dispatched or in hand, resident not contacted, contact deadline passed and not yet told
    for it (the ``(status, contact_due)`` index)."""
    return Matter.objects.filter(
        status__in=CONTACT_STATUSES, contacted_at__isnull=True, contact_due__lt=now
    ).filter(Q(contact_overdue_at__isnull=True) | Q(contact_overdue_at__lt=F("contact_due")))


# The sweep ---------------------------------------------------------------------------------------


def _open_with_deadline() -> QuerySet[Matter]:
    return Matter.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False)


def warn_candidates(now: dt.datetime) -> list[QuerySet[Matter]]:
    """Per stage key: due within the warning window and not yet warned for this stage."""
    window = _open_with_deadline().filter(due_at__gt=now, due_at__lte=now + warn_before())
    keys: dict[str, list[str]] = {}
    for status, stage in STAGES.items():
        keys.setdefault(stage.key, []).append(status)
    return [
        window.filter(status__in=statuses).exclude(warned_for=_stage_key_sql(key))
        for key, statuses in keys.items()
    ]


def overdue_candidates(now: dt.datetime) -> QuerySet[Matter]:
    """Past the deadline and not yet supervised for it."""
    return (
        _open_with_deadline()
        .filter(due_at__lt=now)
        .filter(Q(supervised_at__isnull=True) | Q(supervised_at__lt=F("due_at")))
    )


def escalate_candidates(now: dt.datetime) -> QuerySet[Matter]:
    """Supervised for the current deadline long enough ago, and not escalated since, or escalated
    long enough ago to climb one more level (``matter_escalate`` decides whether anybody sits
    higher)."""
    cutoff = now - escalate_after()
    again = now - escalate_again()
    return (
        _open_with_deadline()
        .filter(
            overdue=True,
            due_at__lte=cutoff,
            supervised_at__lte=cutoff,
            supervised_at__gte=F("due_at"),
        )
        .filter(
            Q(escalated_at__isnull=True)
            | Q(escalated_at__lt=F("supervised_at"))
            | Q(escalated_at__lte=again, escalation_level__lt=MAX_CLIMB)
        )
    )


def _batches(qs: QuerySet[Matter], size: int) -> Iterator[list[int]]:
    """Ids of ``qs`` in (due_at, id) order, a batch at a time (keyset, no OFFSET)."""
    qs = qs.order_by("due_at", "id")
    after: tuple[Any, int] | None = None
    while True:
        page = qs
        if after is not None:
            page = qs.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], id__gt=after[1]))
        rows = list(page.values_list("due_at", "id")[:size])
        if not rows:
            return
        yield [pk for _, pk in rows]
        if len(rows) < size:
            return
        after = rows[-1]


@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    supervised: int = 0
    escalated: int = 0
    contact_overdue: int = 0
    notices: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _run_by_id(
    qs: QuerySet[Matter], step: Callable[[int], dict[str, int]], result: SweepResult
) -> None:
    """``_run`` for candidates not ordered by ``due_at`` (keyset over ids)."""
    after = 0
    size = batch_size()
    while True:
        ids = list(qs.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:size])
        for pk in ids:
            try:
                counts = step(pk)
            except Exception as exc:  # one bad matter must not stop the sweep
                log.exception("contact sweep failed on matter %s", pk)
                result.failed += 1
                result.errors.append(f"{pk}: {exc}"[:200])
                continue
            for name, n in counts.items():
                setattr(result, name, getattr(result, name) + n)
        if len(ids) < size:
            return
        after = ids[-1]


def _run(qs: QuerySet[Matter], step: Callable[[int], dict[str, int]], result: SweepResult) -> None:
    """Each matter in its own short transaction (the steps are atomic), so a sweep never holds
    users' writes back for longer than one matter — on SQLite, where a write locks the database."""
    for ids in _batches(qs, batch_size()):
        for pk in ids:
            try:
                counts = step(pk)
            except Exception as exc:  # one bad matter must not stop the sweep
                log.exception("deadline sweep failed on matter %s", pk)
                result.failed += 1
                result.errors.append(f"{pk}: {exc}"[:200])
                continue
            for name, n in counts.items():
                setattr(result, name, getattr(result, name) + n)


def sweep(now: dt.datetime | None = None, *, scope: Q | None = None) -> SweepResult:
    """One pass over every open matter's current deadline; safe to repeat at any time.
    ``scope`` narrows the matters considered (e.g. ``Q(district_code="500103")`` for a worker
    per district)."""
    now = now or timezone.now()

    def scoped(qs: QuerySet[Matter]) -> QuerySet[Matter]:
        return qs.filter(scope) if scope is not None else qs

    who = Recipients()
    result = SweepResult()

    def warn(pk: int) -> dict[str, int]:
        sent = matter_warn(matter=pk, now=now, recipients=who)
        return {"warned": 1, "notices": sent} if sent >= 0 else {}

    @transaction.atomic
    def overdue(pk: int) -> dict[str, int]:
        if matter_mark_overdue(matter=pk, now=now) is None:
            return {}
        sent = matter_supervise(matter=pk, now=now, recipients=who)
        return {"overdue": 1, "supervised": 1, "notices": sent} if sent >= 0 else {"overdue": 1}

    def escalate(pk: int) -> dict[str, int]:
        sent = matter_escalate(matter=pk, now=now, recipients=who)
        return {"escalated": 1, "notices": sent} if sent >= 0 else {}

    if warn_before() > dt.timedelta(0):
        for qs in warn_candidates(now):
            _run(scoped(qs), warn, result)
    _run(scoped(overdue_candidates(now)), overdue, result)
    _run(scoped(escalate_candidates(now)), escalate, result)

    def contact(pk: int) -> dict[str, int]:
        sent = matter_contact_overdue(matter=pk, now=now, recipients=who)
        return {"contact_overdue": 1, "notices": sent} if sent >= 0 else {}

    _run_by_id(scoped(contact_candidates(now)), contact, result)
    if any(
        (result.warned, result.supervised, result.escalated, result.contact_overdue, result.failed)
    ):
        log.info("deadline sweep at %s: %s", now.isoformat(), result.as_dict())
    return result
