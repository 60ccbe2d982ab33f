"""Time limits of a matter's stages, from its category and 四事四办 handling mode."""

from __future__ import annotations

import datetime as dt

from zhili.core.workdays import add_limit
from zhili.matters.models import Matter, Status


def stage_due(matter: Matter, stage: str, start: dt.datetime) -> dt.datetime:
    value, unit = matter.category.limit(stage, matter.handling_mode)
    return add_limit(start, value, unit)


def current_due(matter: Matter) -> dt.datetime | None:
    """The deadline of the stage the matter is in now."""
    s = matter.status
    if s in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED):
        return matter.dispatch_due
    if s == Status.DISPATCHED:
        return matter.sign_due
    if s in (Status.HANDLING, Status.REPORTED, Status.VERIFIED):
        return matter.handle_due
    return None


def refresh_due(matter: Matter, now: dt.datetime) -> None:
    matter.due_at = current_due(matter)
    matter.overdue = bool(matter.due_at and matter.due_at < now and matter.is_open)


def shift_after_suspension(matter: Matter, suspended_for: dt.timedelta) -> None:
    """A suspension stops the clock: every pending deadline moves by the time suspended (the
    contact deadline only while the resident has not been contacted: a met or missed contact
    stays as it was)."""
    for name in ("dispatch_due", "sign_due", "contact_due", "handle_due"):
        if name == "contact_due" and matter.contacted_at is not None:
            continue
        value = getattr(matter, name)
        if value is not None:
            setattr(matter, name, value + suspended_for)
