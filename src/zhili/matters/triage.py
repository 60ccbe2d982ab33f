"""三事分流 (DOMAIN.md §3): where a triaged matter goes, and the time limits it takes.

- 小事 goes to the village/community committee (居（村）民委员会) of the matter's community: the
  triage dispatches it there in the same transaction (``services.matter_triage``), so it waits in
  the committee's 待签收 queue, not in the street's 待派遣 queue. Without a committee on record
  for the community, or for a matter located only to a street, the triage is refused (422).
- 大事 goes to the district: it stays 待派遣, but only those who dispatch at the district (or
  above) see it in their 待派遣 queue (``dispatch_queue``) and may dispatch it (``big_guard``, a
  guard of the ``dispatch`` rule); the street's workers no longer can.
- 私事 closes with guidance to the resident (``steps.triage``).

The limits follow: 小事 takes the limits of 小事马上办 and 大事 those of 大事会商办 (the handling mode
``MODE_OF``; the numbers are the 四事四办 business parameters ``matters.limit.<mode>.<stage>``),
except a matter already handled as 急事特事特办, whose hour limits stay. The running deadlines are
recounted as on a mode change (``steps.mode``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhili.core.errors import ValidationFailed
from zhili.core.scoping import path_prefix_q, scope_paths
from zhili.matters.models import HandlingMode, Matter, Triage
from zhili.org.models import Unit, UnitType

COMMUNITY_DEPTH = 3  # 市 0, 区县 1, 街道 2, 村/社区 3, 网格 4
MODE_OF = {Triage.SMALL: HandlingMode.IMMEDIATE, Triage.BIG: HandlingMode.CONSULT}


def mode_after(matter: Matter, triage: str) -> str:
    """The handling mode a triage gives the matter (an urgent matter stays urgent)."""
    if matter.handling_mode == HandlingMode.URGENT or triage not in MODE_OF:
        return matter.handling_mode
    return str(MODE_OF[Triage(triage)])


def _codes(path: str) -> list[str]:
    return [c for c in path.split("/") if c]


def district_path(matter: Matter) -> str:
    return "/".join(_codes(matter.area_path)[:2]) + "/"


def community_committee(matter: Matter) -> Unit:
    """The active residents' (villagers') committee of the matter's community (422 otherwise)."""
    codes = _codes(matter.area_path)
    if len(codes) <= COMMUNITY_DEPTH:
        raise ValidationFailed(
            _("小事由村（社区）办理：请先把诉求定位到社区或网格"), code="community_required"
        )
    community = codes[COMMUNITY_DEPTH]
    found = (
        Unit.objects.filter(type=UnitType.RESIDENTS_COMMITTEE, area__code=community, is_active=True)
        .order_by("pk")
        .first()
    )
    if found is None:
        raise ValidationFailed(
            _("该社区尚未登记启用中的居（村）民委员会，不能按小事分流"), code="no_committee"
        )
    return found


def _dispatches_district(actor: Any, matter: Matter) -> bool:
    paths = scope_paths(actor, Matter, "dispatch")
    if paths is None:
        return True
    district = district_path(matter)
    return any(district.startswith(p) for p in paths)


def big_guard(actor: Any, matter: Matter) -> str | None:
    """The ``dispatch`` rule's guard: a 大事 is dispatched by the district, not the street."""
    if matter.triage == Triage.BIG and not _dispatches_district(actor, matter):
        return _("大事由区县统筹派遣，街道不能派遣")
    return None


def dispatch_queue(user: Any, qs: QuerySet[Matter]) -> QuerySet[Matter]:
    """待派遣 as this user works it: 大事 only for those who dispatch at a district or above."""
    paths = scope_paths(user, Matter, "dispatch")
    if paths is None:
        return qs
    high = [p for p in paths if len(_codes(p)) <= 2]
    q = ~Q(triage=Triage.BIG)
    for p in high:
        q |= path_prefix_q("area_path", p)
    return qs.filter(q)
