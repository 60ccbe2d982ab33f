"""包片联系 checked: a district leader or a district department follows one or two streets
(DOMAIN.md §2). Leaders are the holders of the 包片领导 role (``liaison_leader``) and everyone
already named in a liaison; departments are the district-level units of type 职能部门. The
warning list names those with no street or more than two."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from zhili.areas.models import Level
from zhili.core.scoping import paths_q, scope_paths
from zhili.org.models import Liaison, RoleGrant, Unit, UnitType, User

LEADER_ROLE = "liaison_leader"


def limits() -> tuple[int, int]:
    """(fewest, most) streets per leader: 1–2 by default, configurable."""
    low, high = getattr(settings, "ZHILI_LIAISON_STREETS", (1, 2))
    return int(low), int(high)


@dataclass
class LiaisonRow:
    kind: str  # "leader" or "unit"
    name: str
    district: str
    streets: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.streets)

    @property
    def problem(self) -> str:
        low, high = limits()
        if self.count < low:
            return gettext("未包片联系街道")
        if self.count > high:
            return gettext("包片联系 %(count)s 个街道，超过 %(high)s 个") % {
                "count": self.count,
                "high": high,
            }
        return ""


def liaison_check(user: Any) -> list[LiaisonRow]:
    """Every leader and district department in the user's scope with their streets; the rows
    with a ``problem`` are the warning list."""
    paths = scope_paths(user, Liaison, "view")
    if paths is not None and not paths:
        return []
    liaisons = list(
        Liaison.objects.filter(paths_q("area__path", paths), area__valid_to__isnull=True)
        .select_related("area", "area__parent", "leader", "unit")
        .order_by("area__path")
    )
    streets: dict[tuple[str, int], list[str]] = defaultdict(list)
    for li in liaisons:
        if li.leader_id:
            streets[("leader", li.leader_id)].append(li.area.name)
        if li.unit_id:
            streets[("unit", li.unit_id)].append(li.area.name)
    rows: dict[tuple[str, int], LiaisonRow] = {}
    grants = (
        RoleGrant.objects.filter(paths_q("area__path", paths), role__slug=LEADER_ROLE)
        .filter(user__is_active=True, area__valid_to__isnull=True)
        .select_related("user", "area")
    )
    leader_ids = {g.user_id: g.area.name for g in grants}
    for li in liaisons:
        if li.leader_id and li.leader_id not in leader_ids:
            leader_ids[li.leader_id] = li.area.parent.name if li.area.parent else ""
    for u in User.objects.filter(pk__in=leader_ids).order_by("username"):
        rows[("leader", u.pk)] = LiaisonRow("leader", u.display_name, leader_ids[u.pk])
    units = Unit.objects.filter(
        paths_q("area__path", paths),
        type=UnitType.DEPARTMENT,
        area__level=Level.DISTRICT,
        is_active=True,
    ).select_related("area")
    for u in units:
        rows[("unit", u.pk)] = LiaisonRow("unit", u.name, u.area.name)
    for key, names in streets.items():
        if key in rows:
            rows[key].streets = sorted(set(names))
    return sorted(rows.values(), key=lambda r: (r.problem == "", r.district, r.kind, r.name))
