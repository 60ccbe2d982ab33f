"""Rollups of matter measures, maintained from events in the same transaction.

Filled in by the metrics work; services call ``record`` for every event they append.
"""

from __future__ import annotations

from typing import Any


def record(matter: Any, event: Any) -> None:
    """Update the rollup counters that ``event`` changes."""
    return None
