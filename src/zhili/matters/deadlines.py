"""Time limits of a matter's stages, from its category and 四事四办 handling mode."""

from __future__ import annotations

import datetime as dt

from zhili.core.workdays import add_limit, add_workdays, workdays_between
from zhili.matters.models import Matter, Status

STAGE_OF = {
    "dispatch_due": "dispatch",
    "sign_due": "sign",
    "contact_due": "contact",
    "handle_due": "handle",
}


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


def shift_after_suspension(matter: Matter, since: dt.datetime, until: dt.datetime) -> None:
    """A suspension stops the clock: every pending deadline moves by the time suspended (the
    contact deadline only while the resident has not been contacted: a met or missed contact
    stays as it was). A limit counted in working days moves by the working days the suspension
    covered (a suspension over a weekend or the Spring Festival moves it by none or few); a
    limit counted in hours (急事) moves by the clock time suspended."""
    workdays = workdays_between(since, until)
    for name, stage in STAGE_OF.items():
        if name == "contact_due" and matter.contacted_at is not None:
            continue
        value = getattr(matter, name)
        if value is None:
            continue
        _, unit = matter.category.limit(stage, matter.handling_mode)
        if unit == "wd":
            setattr(matter, name, add_workdays(value, workdays))
        else:
            setattr(matter, name, value + (until - since))
