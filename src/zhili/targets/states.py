"""Cell states of the 打表 table, and the one palette shared by the page, print and xlsx export.

A milestone of an assignee is, on a given day (the plan's clock):
- done (已完成): its report has been accepted;
- overdue (逾期): the due date has passed without an accepted report;
- at risk (临期): due within ``risk_days`` days without an accepted report;
- on schedule (推进中): a report has been submitted (awaiting review or returned), not yet near due;
- not started (未启动): nothing submitted and not yet near due.
A cell holding several milestones shows the most urgent of them (see ``combine``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class CellState(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    ON_SCHEDULE = "on_schedule", _("推进中")
    AT_RISK = "at_risk", _("临期")
    OVERDUE = "overdue", _("逾期")
    DONE = "done", _("已完成")


# One character per state, so the table reads in black and white too.
SYMBOL = {
    CellState.NOT_STARTED: _("未"),
    CellState.ON_SCHEDULE: _("进"),
    CellState.AT_RISK: _("临"),
    CellState.OVERDUE: _("超"),
    CellState.DONE: _("完"),
}

# (fill, text) colours: the page's CSS and the xlsx export are both generated from this table.
PALETTE = {
    CellState.NOT_STARTED: ("EEF1F5", "5F6B7A"),
    CellState.ON_SCHEDULE: ("D4E5FA", "1D4F91"),
    CellState.AT_RISK: ("FCE3B0", "7A4A00"),
    CellState.OVERDUE: ("F6C9C9", "9B1C1C"),
    CellState.DONE: ("CBEBD4", "17602A"),
}

# Most urgent first: the order in which a cell of several milestones picks its state.
URGENCY = [
    CellState.OVERDUE,
    CellState.AT_RISK,
    CellState.ON_SCHEDULE,
    CellState.NOT_STARTED,
    CellState.DONE,
]


def milestone_state(*, due: dt.date, status: str, on: dt.date, risk_days: int) -> CellState:
    """The state of one milestone for one assignee on day ``on``."""
    if status == "accepted":
        return CellState.DONE
    if on > due:
        return CellState.OVERDUE
    if (due - on).days <= risk_days:
        return CellState.AT_RISK
    if status in ("submitted", "returned"):
        return CellState.ON_SCHEDULE
    return CellState.NOT_STARTED


def combine(states: Iterable[CellState]) -> CellState | None:
    """A cell of several milestones: done only when all are; otherwise the most urgent one, except
    that a cell with some milestones done and the rest merely not started is on schedule."""
    seen = set(states)
    if not seen:
        return None
    if seen == {CellState.DONE}:
        return CellState.DONE
    for state in URGENCY:
        if state in seen:
            if state == CellState.NOT_STARTED and CellState.DONE in seen:
                return CellState.ON_SCHEDULE
            return state
    return None  # pragma: no cover


def css_rules() -> str:
    """The state colours as CSS, for the table page (screen and print)."""
    lines = []
    for state, (fill, text) in PALETTE.items():
        css = f"background:#{fill};color:#{text}"
        lines.append(f".tt .s-{state.value},.tt-key.s-{state.value}{{{css}}}")
    return "\n".join(lines)
