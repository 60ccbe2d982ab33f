"""Who holds a task: read once, for the warnings (who is told), the warnings on the page (what a user
is told about) and the table (where it opens).

An assignee is a unit (a lead or co-unit) or an area (a district, or a street's share). A user holds
- their own unit's rows, when they may report for their unit (``targets.report.submit_own`` over the
  unit's area, or ``targets.report.submit`` over it);
- the rows of the very areas where their right to report starts: a street's own staff hold the
  street's share, the district's officer the district's — the district's officer may also report
  for its streets, but is not the one a street's warning is meant for.
Superusers hold nothing (they are nobody's to warn).

``holding(user)`` answers from the user's side (a filter on reports or assignments);
``holders_of(keys)`` answers from the assignee's side (the users to warn), through
``core.scoping.holders``; the two are the same rule and are tested against each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from zhili.core.scoping import ancestor_paths, can, holders, scope_paths
from zhili.targets.models import Assignment, AssignmentKind, Plan, Report, own_unit_id, unit_path

SUBMIT = "targets.report.submit"
SUBMIT_OWN = "targets.report.submit_own"

# An assignee: (unit id, area path) for a unit; (None, area path) for a district or a street.
Key = tuple[int | None, str]


@dataclass(frozen=True)
class Holding:
    """What one user reports for."""

    unit_id: int | None = None
    paths: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.unit_id is not None or bool(self.paths)

    def q(self, prefix: str = "") -> Q:
        """The rows held, on a model with ``unit`` and ``area_path`` (``prefix``: "report__")."""
        q = Q(pk__in=[])
        if self.unit_id is not None:
            q |= Q(**{f"{prefix}unit_id": self.unit_id})
        if self.paths:
            q |= Q(**{f"{prefix}unit__isnull": True, f"{prefix}area_path__in": self.paths})
        return q


def holding(user: Any) -> Holding:
    """What ``user`` holds (no query beyond the user's grants and unit path, both cached)."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return Holding()
    paths = tuple(scope_paths(user, Report, "submit") or ())  # minimal paths: where it starts
    unit_id = getattr(user, "unit_id", None)
    holds_unit = unit_id is not None and (
        own_unit_id(user, Report, "submit") is not None
        or (bool(paths) and can(user, "submit", Report, unit_path(user)))
    )
    return Holding(unit_id if holds_unit else None, paths)


def held_reports(user: Any, plan: Plan) -> Any:
    """The reports ``user`` holds in ``plan`` (a queryset; none for someone holding nothing)."""
    held = holding(user)
    if not held:
        return Report.objects.none()
    return Report.objects.filter(plan=plan).filter(held.q())


def table_default_by(user: Any, plan: Plan) -> str:
    """The table opens on the columns of what the user holds: units, or districts and streets
    (both: by month, where every row held shows); someone holding nothing (the office) by unit."""
    held = holding(user)
    if not held:
        return "unit"
    kinds = set(
        Assignment.objects.filter(plan=plan)
        .filter(held.q())
        .values_list("kind", flat=True)
        .distinct()
    )
    units = bool(kinds & {AssignmentKind.LEAD, AssignmentKind.CO})
    areas = bool(kinds & {AssignmentKind.DISTRICT, AssignmentKind.STREET})
    if units and areas:
        return "period"
    return "district" if areas else "unit"


def key_of(report: Report) -> Key:
    return (report.unit_id, report.area_path)


def holders_of(keys: Iterable[Key]) -> dict[Key, list[Any]]:
    """The users who hold each assignee (the same rule as ``holding``, from the other side)."""
    found: dict[tuple[str, str], dict[int, Any]] = {}

    def who(permission: str, path: str) -> dict[int, Any]:
        if (permission, path) not in found:
            found[permission, path] = {u.pk: u for u in holders(permission, path)}
        return found[permission, path]

    out: dict[Key, list[Any]] = {}
    for unit_id, path in set(keys):
        if unit_id is not None:
            people = {**who(SUBMIT_OWN, path), **who(SUBMIT, path)}
            chosen = [u for u in people.values() if u.unit_id == unit_id]
        else:
            above = ancestor_paths(path)[:-1]
            not_theirs = who(SUBMIT, above[-1]) if above else {}
            chosen = [u for pk, u in who(SUBMIT, path).items() if pk not in not_theirs]
        out[unit_id, path] = sorted(chosen, key=lambda u: u.username)
    return out
