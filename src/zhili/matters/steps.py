"""What each action of the closed loop does to a matter, without touching the database.

Each ``<action>(m, now, ...)`` changes the matter in memory and returns its new status (or None to
keep it). The services (services.py, through workflow.transition) call them on the locked row; bulk
loaders (zhili.bench) call them on matters being generated, so both write the same rows.
"""

from __future__ import annotations

import datetime as dt

from zhili.core.workdays import add_workdays
from zhili.matters.deadlines import refresh_due, shift_after_suspension, stage_due
from zhili.matters.models import Matter, SpotCheck, Status, Triage


def submit(m: Matter, now: dt.datetime) -> None:
    """受理: the new matter's first deadline (立案派遣)."""
    m.dispatch_due = stage_due(m, "dispatch", now)
    refresh_due(m, now)


def accept(m: Matter, now: dt.datetime) -> str:
    m.accepted_at = now
    return Status.ACCEPTED


def reject(m: Matter, now: dt.datetime) -> str:
    m.closed_at = now
    return Status.REJECTED


def triage(m: Matter, now: dt.datetime, *, result: str, reason: str) -> str | None:
    """三事分流: 大事 and 小事 go on to dispatch (小事 to the community committee: services), with
    the limits of 大事会商办 / 小事马上办 (``triage.mode_after``); 私事 closes with guidance."""
    from zhili.matters.triage import mode_after

    m.triage, m.triage_reason = result, reason
    if m.accepted_at is None:
        m.accepted_at = now
    if result == Triage.PRIVATE:
        m.closed_at = now
        return Status.CLOSED
    new_mode = mode_after(m, result)
    if new_mode != m.handling_mode:
        mode(m, now, mode=new_mode)
    return Status.ACCEPTED if m.status == Status.SUBMITTED else None


def mode(m: Matter, now: dt.datetime, *, mode: str) -> None:
    """四事四办 changed: every deadline still running is recounted from its own start with the
    new mode's limits (a met deadline stays as it was)."""
    m.handling_mode = mode
    dispatched = m.first_dispatched_at
    if m.status in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED):
        m.dispatch_due = stage_due(m, "dispatch", m.created_at)
    if m.status == Status.DISPATCHED and m.dispatched_at is not None:
        m.sign_due = stage_due(m, "sign", m.dispatched_at)
    if dispatched is not None and m.contacted_at is None:
        m.contact_due = stage_due(m, "contact", dispatched)
    if dispatched is not None and m.reported_at is None:
        m.handle_due = stage_due(m, "handle", dispatched)
    return None


def dispatch(m: Matter, now: dt.datetime, *, unit: object) -> str:
    """派遣 (the co-units are rows of their own: workflow.set_co_units)."""
    m.lead_unit = unit  # type: ignore[assignment]
    m.dispatch_count += 1
    m.dispatched_at = now
    m.first_dispatched_at = m.first_dispatched_at or now
    if m.accepted_at is None:
        m.accepted_at = now
    m.sign_due = stage_due(m, "sign", now)
    m.contact_due = m.contact_due or stage_due(m, "contact", now)
    m.handle_due = m.handle_due or stage_due(m, "handle", now)
    return Status.DISPATCHED


def sign(m: Matter, now: dt.datetime, *, contacted: bool) -> str:
    m.signed_at = now
    if contacted and m.contacted_at is None:
        m.contacted_at = now
    return Status.HANDLING


def return_(m: Matter, now: dt.datetime) -> str:
    m.dispatch_due = stage_due(m, "dispatch", now)
    return Status.RETURNED


def report(m: Matter, now: dt.datetime, *, contacted: bool) -> str:
    m.reported_at = now
    if contacted and m.contacted_at is None:
        m.contacted_at = now
    return Status.REPORTED


def verify(m: Matter, now: dt.datetime, *, passed: bool) -> str:
    if passed:
        return Status.VERIFIED
    m.rework_count += 1
    return Status.HANDLING


def close(m: Matter, now: dt.datetime) -> str:
    m.closed_at = now
    return Status.CLOSED


def rate(m: Matter, now: dt.datetime, *, solved: bool, satisfied: bool) -> str:
    m.solved, m.satisfied = solved, satisfied
    return Status.RATED


def reopen(m: Matter, now: dt.datetime) -> str:
    m.reopen_count += 1
    m.closed_at = None
    m.solved = m.satisfied = None
    if m.lead_unit_id is None:  # closed as 私事 or self-handled: dispatch anew
        m.dispatch_due = stage_due(m, "dispatch", now)
        return Status.ACCEPTED
    m.dispatched_at = now
    m.sign_due = stage_due(m, "sign", now)
    m.handle_due = stage_due(m, "handle", now)
    return Status.DISPATCHED


def extend(m: Matter, now: dt.datetime, *, days: int, reason: str) -> None:
    m.extension_requested_days, m.extension_reason = int(days), reason


def approve_extension(m: Matter, now: dt.datetime, *, approved: bool) -> None:
    if approved:
        m.handle_due = add_workdays(m.handle_due or now, m.extension_requested_days)
        m.extension_count += 1
    m.extension_requested_days, m.extension_reason = 0, ""


def suspend(m: Matter, now: dt.datetime) -> str:
    m.status_before_suspend = m.status
    m.suspended_at = now
    return Status.SUSPENDED


def resume(m: Matter, now: dt.datetime) -> str:
    if m.suspended_at:
        shift_after_suspension(m, m.suspended_at, now)
    previous = m.status_before_suspend or Status.ACCEPTED
    m.status_before_suspend, m.suspended_at = "", None
    return previous


def merge(m: Matter, now: dt.datetime, *, into: Matter) -> str:
    m.merged_into = into
    m.closed_at = now
    return Status.MERGED


def self_handle(m: Matter, now: dt.datetime, *, sampled: bool) -> str:
    """自行处置: closed at once; ``sampled`` marks it for verification by sampling."""
    m.self_handled = True
    m.sampled = sampled
    m.accepted_at = m.accepted_at or now
    m.reported_at = m.closed_at = m.contacted_at = now
    return Status.CLOSED


def co_report(m: Matter, now: dt.datetime) -> None:
    """协办反馈: the co-unit's part is recorded on its own row (``MatterUnit``, by the service);
    the matter's state and deadlines are the lead unit's."""
    return None


def spot_check(m: Matter, now: dt.datetime, *, passed: bool) -> None:
    """抽查核实 of a sampled self-handled matter: the result, once (a failure is reopened by
    重新办理 if the centre so decides)."""
    m.spot_check = SpotCheck.PASSED if passed else SpotCheck.FAILED
    m.spot_checked_at = now
    return None


def place(m: Matter, now: dt.datetime, *, area: object, suggested_unit: object) -> None:
    """定位: the matter moves to a street, community or grid of its district (the rollups move
    its counts with it: rollups.record); the routing rules suggest the unit for the new place."""
    m.area = area  # type: ignore[assignment]
    m.area_path = area.path  # type: ignore[attr-defined]
    m.suggested_unit = suggested_unit  # type: ignore[assignment]
