"""Who answers for a matter's running deadline, stage by stage, and who stands one level above.

Used by the deadline sweep (supervision.py) to address warnings, 督办 and escalations.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhili.core.scoping import Grant
from zhili.matters.models import OPEN_STATUSES, Matter, Status
from zhili.org.models import RoleGrant, User

S = Status


@dataclass(frozen=True)
class Stage:
    key: str  # what ``warned_for`` remembers
    deadline: str  # which deadline runs (a key of models.STAGE_LABELS)
    permission: str | None  # officers' action on the matter's area; None: the lead unit's staff


STAGES: dict[str, Stage] = {
    S.SUBMITTED: Stage("intake", "dispatch", "accept"),
    S.ACCEPTED: Stage("dispatch", "dispatch", "dispatch"),
    S.RETURNED: Stage("dispatch", "dispatch", "dispatch"),
    S.DISPATCHED: Stage("sign", "sign", None),
    S.HANDLING: Stage("handle", "handle", None),
    S.REPORTED: Stage("verify", "handle", "verify"),
    S.VERIFIED: Stage("close", "handle", "close"),
}
assert set(STAGES) == set(OPEN_STATUSES)
STREET_DEPTH = 2  # city 0, district 1, street 2


def _depth(path: str) -> int:
    return path.count("/") - 1


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Recipients:
    """Finds the responsible people and the level above; caches grants and staff for one sweep."""

    def __init__(self) -> None:
        self._grants: dict[str, list[tuple[int, Grant, User]]] = {}
        self._staff: dict[int, list[User]] = {}

    def _grants_over(self, area_path: str) -> list[tuple[int, Grant, User]]:
        if area_path not in self._grants:
            rows = RoleGrant.objects.filter(
                area__path__in=_ancestor_paths(area_path),
                area__valid_to__isnull=True,
                user__is_active=True,
            ).select_related("user", "role", "area")
            self._grants[area_path] = [
                (
                    _depth(g.area.path),
                    Grant(g.area.path, g.area_id, frozenset(g.role.permissions)),
                    g.user,
                )
                for g in rows
            ]
        return self._grants[area_path]

    def officers(self, area_path: str, action: str, *, above: int | None = None) -> list[User]:
        """Holders of ``matters.matter.<action>`` over the area at the deepest level that has any
        (only levels shallower than ``above`` when given): the street before the district."""
        perm = f"matters.matter.{action}"
        found = [
            (depth, user)
            for depth, grant, user in self._grants_over(area_path)
            if grant.allows(perm) and (above is None or depth < above)
        ]
        if not found:
            return []
        deepest = max(depth for depth, _ in found)
        return list({u.pk: u for depth, u in found if depth == deepest}.values())

    def _officer_depth(self, users: list[User], area_path: str) -> int | None:
        ids = {u.pk for u in users}
        depths = [d for d, _, u in self._grants_over(area_path) if u.pk in ids]
        return max(depths) if depths else None

    def unit_staff(self, unit_id: int) -> list[User]:
        if unit_id not in self._staff:
            self._staff[unit_id] = list(User.objects.filter(unit_id=unit_id, is_active=True))
        return self._staff[unit_id]

    def responsible(self, m: Matter) -> list[User]:
        """The lead unit's staff while it must sign or handle; otherwise the officers who must
        act next (accept, dispatch, verify, close). A unit without accounts falls back to the
        dispatchers, so somebody always hears."""
        stage = STAGES[m.status]
        if stage.permission is None and m.lead_unit_id:
            staff = self.unit_staff(m.lead_unit_id)
            if staff:
                return staff
        return self.officers(m.area_path, stage.permission or "dispatch")

    def above(self, m: Matter, steps: int = 1) -> list[User]:
        """The dispatchers one level above: above the street (the district for a street's
        matter), and above the responsible officers when they themselves sit higher. ``steps``
        climbs on: 2 is the level above those (the city above the district), and so on; empty
        when nobody sits that high."""
        limit = STREET_DEPTH
        stage = STAGES[m.status]
        if stage.permission is not None or not (m.lead_unit_id and self.unit_staff(m.lead_unit_id)):
            depth = self._officer_depth(self.responsible(m), m.area_path)
            if depth is not None:
                limit = min(limit, depth)
        found = self.officers(m.area_path, "dispatch", above=limit)
        for _ in range(steps - 1):
            depth = self._officer_depth(found, m.area_path)
            if depth is None:
                return []
            found = self.officers(m.area_path, "dispatch", above=depth)
        return found
