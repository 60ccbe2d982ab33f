"""Reads of matters, always scoped to the acting user (area scope or own unit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhili.areas.models import Area
from zhili.areas.selectors import area_by_id
from zhili.core import lookups
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.i18n import Label
from zhili.core.scoping import can, path_prefix_q
from zhili.matters.models import (
    OPEN_STATUSES,
    Category,
    HandlingMode,
    Matter,
    MatterEvent,
    MatterUnit,
    Status,
    Topic,
    Triage,
)
from zhili.matters.triage import dispatch_queue
from zhili.org.selectors import unit_by_id


@dataclass
class MatterFilters:
    status: str = ""
    area: str = ""
    category: str = ""
    unit: int | None = None
    overdue: bool | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    queue: str = ""
    q: str = ""
    triage: str = ""  # 三事分流
    handling_mode: str = ""  # 四事四办
    topic: str = ""  # 五事共抓 (the category's topic)


def matter_visible(user: Any, action: str = "view") -> QuerySet[Matter]:
    return Matter.objects.visible_to(user, action)


# What a list row shows (presenters.matter_out and the queue page), and nothing more: the full
# rows of the matter, its category (JSON limits and questions), its area (GeoJSON geometry), both
# units and the whole matter it was merged into cost more to build than to fetch. The matter merged
# into is prefetched, not joined: a second join of the matters table costs PostgreSQL ~1.7 ms of
# planning per page (5 joins plan in ~0.2 ms), and the prefetch runs no query at all when no row on
# the page was merged (always, for open matters).
LIST_RELATED = ("category", "area", "lead_unit", "suggested_unit")
# A list row as plain values (matter_rows; presenters.matter_row reads the same from a model).
# These rows join the merged-into matter; whether that join's planning (above) is worth a
# prefetch-like second query is not measured yet.
ROW_FIELDS = (
    "id",
    "number",
    "title",
    "description",
    "category__code",
    "category__name",
    "channel",
    "status",
    "triage",
    "area__code",
    "area__name",
    "address",
    "lat",
    "lng",
    "anonymous",
    "reporter_name",
    "reporter_phone",
    "lead_unit_id",
    "lead_unit__name",
    "suggested_unit_id",
    "suggested_unit__name",
    "created_at",
    "due_at",
    "handle_due",
    "overdue",
    "closed_at",
    "solved",
    "satisfied",
    "merged_into__number",
    "version",
)
# The same columns for the queue page's models (``only``): the related rows in place of their ids
# and of the merged-into number (prefetched), and the area's path.
LIST_FIELDS = (
    *LIST_RELATED,
    "merged_into",
    "area_path",
    *(
        f
        for f in ROW_FIELDS
        if f not in ("id", "lead_unit_id", "suggested_unit_id", "merged_into__number")
    ),
)


def matter_list(user: Any, f: MatterFilters) -> QuerySet[Matter]:
    """The matters a list shows: scoped, filtered, with only the fields a list row needs (reading
    another field of a row costs a query per row)."""
    qs = (
        matter_visible(user)
        .select_related(*LIST_RELATED)
        .only(*LIST_FIELDS)
        .prefetch_related(Prefetch("merged_into", queryset=Matter._base_manager.only("number")))
    )
    if f.status:
        qs = qs.filter(status__in=f.status.split(","))
    if f.area:
        area = Area.objects.filter(code=f.area).first()
        if area is None:
            raise NotFound(
                gettext("区域 %(area)s 不存在") % {"area": f.area}, code="area_not_found"
            )
        qs = qs.filter(path_prefix_q("area_path", area.path))
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.unit:
        qs = qs.filter(lead_unit_id=f.unit)
    for value, choices, lookup, label in (
        (f.triage, Triage, "triage", gettext("三事分流")),
        (f.handling_mode, HandlingMode, "handling_mode", gettext("四事四办")),
        (f.topic, Topic, "category__topic", gettext("五事")),
    ):
        if value:
            if value not in choices.values:
                raise ValidationFailed(
                    gettext("%(label)s的取值无效：%(value)s") % {"label": label, "value": value},
                    code="invalid_filter",
                )
            qs = qs.filter(**{lookup: value})
    if f.overdue is not None:
        qs = qs.filter(overdue=f.overdue)
    if f.created_from:
        qs = qs.filter(created_at__date__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(created_at__date__lte=f.created_to)
    if f.q:
        qs = (
            qs.filter(title__contains=f.q.strip())
            if not f.q.strip().startswith("Q")
            else qs.filter(number=f.q.strip())
        )
    if f.queue:
        qs = apply_queue(user, qs, f.queue)
    return qs


def matter_rows(user: Any, f: MatterFilters) -> QuerySet[Any]:
    """matter_list's matters as plain rows (``ROW_FIELDS``, one query with its joins, no
    model built): the API's list, where building 50 matters and their 150 related rows cost more
    than the query."""
    return matter_list(user, f).prefetch_related(None).values(*ROW_FIELDS)


QUEUES = {
    "intake": gettext_lazy("待受理"),
    "place": gettext_lazy("待分拨"),
    "dispatch": gettext_lazy("待派遣"),
    "sign": gettext_lazy("待签收"),
    "handle": gettext_lazy("待处置"),
    "verify": gettext_lazy("待核查"),
    "close": gettext_lazy("待结案"),
    "callback": gettext_lazy("待回访"),
    "overdue": gettext_lazy("已超期"),
    "extension": gettext_lazy("待审批延期"),
    "spot_check": gettext_lazy("待抽查"),
    "mine": gettext_lazy("我登记的"),
}


def apply_queue(user: Any, qs: QuerySet[Matter], queue: str) -> QuerySet[Matter]:
    unit_id = getattr(user, "unit_id", None)
    if queue == "intake":
        return qs.filter(status=Status.SUBMITTED)
    if queue == "place":  # located only to the district: the district centre places them
        from zhili.areas.models import Level

        return qs.filter(status__in=PLACEABLE, area__level=Level.DISTRICT)
    if queue == "dispatch":  # 大事 wait for the district (matters.triage)
        return dispatch_queue(user, qs.filter(status__in=[Status.ACCEPTED, Status.RETURNED]))
    if queue == "sign":
        qs = qs.filter(status=Status.DISPATCHED)
        return qs.filter(lead_unit_id=unit_id) if unit_id and not _supervisor(user) else qs
    if queue == "handle":
        qs = qs.filter(status=Status.HANDLING)
        return qs.filter(lead_unit_id=unit_id) if unit_id and not _supervisor(user) else qs
    if queue == "verify":
        return qs.filter(status=Status.REPORTED)
    if queue == "close":
        return qs.filter(status=Status.VERIFIED)
    if queue == "callback":
        return qs.filter(status=Status.CLOSED)
    if queue == "overdue":
        return qs.filter(status__in=OPEN_STATUSES, overdue=True)
    if queue == "extension":
        return qs.filter(extension_requested_days__gt=0)
    if queue == "spot_check":  # self-handled matters drawn for a spot check, not checked yet
        return qs.filter(sampled=True, spot_check="", status__in=[Status.CLOSED, Status.RATED])
    if queue == "mine":
        return qs.filter(created_by=user)
    return qs


def _supervisor(user: Any) -> bool:
    from zhili.core.scoping import has_any

    return has_any(user, Matter, "dispatch")


# Queues only some people work: shown to those who hold the right somewhere.
QUEUE_RIGHTS = {"place": "dispatch", "extension": "approve", "spot_check": "verify"}


def user_queues(user: Any) -> dict[str, Label]:
    """The queue tabs this user works (待分拨 for dispatchers, 待审批延期 for approvers)."""
    from zhili.core.scoping import has_any

    return {
        key: label
        for key, label in QUEUES.items()
        if key not in QUEUE_RIGHTS or has_any(user, Matter, QUEUE_RIGHTS[key])
    }


def queue_counts(user: Any) -> dict[str, int]:
    """Counts for the user's queue tabs; each is an indexed filter within the user's scope."""
    base = matter_visible(user)
    return {key: apply_queue(user, base, key)[:1000].count() for key in user_queues(user)}


def matter_get(user: Any, number: str) -> Matter:
    """One matter the user may see, with what its page and its API show: the matter it was merged
    into prefetched (a second join of the matters table costs PostgreSQL more to plan than the
    rest of the read, and the prefetch runs no query unless it was merged); its category (with the
    group), its area and its lead and suggested units from this process's memos (core.lookups:
    they change a few times a year and every matter's page shows them; joining the two units cost
    the read a millisecond of Python)."""
    rows = (
        matter_visible(user)
        .prefetch_related(Prefetch("merged_into", queryset=Matter._base_manager.only("number")))
        .filter(number=number)
        .order_by()[:1]  # the number is unique: no ORDER BY to build (``first()`` adds one)
    )
    matter = next(iter(rows), None)
    if matter is None:
        raise NotFound(
            gettext("诉求 %(number)s 不存在或不在您的管辖范围内") % {"number": number},
            code="matter_not_found",
        )
    _CATEGORY.set_cached_value(matter, category_by_id(matter.category_id))
    _AREA.set_cached_value(matter, area_by_id(matter.area_id))
    for unit_field in (_LEAD_UNIT, _SUGGESTED_UNIT):
        pk = getattr(matter, unit_field.attname)
        unit = unit_by_id(pk) if pk is not None else None
        if unit is not None or pk is None:
            unit_field.set_cached_value(matter, unit)
    return matter


_CATEGORY = Matter._meta.get_field("category")
_AREA = Matter._meta.get_field("area")
_LEAD_UNIT = Matter._meta.get_field("lead_unit")
_SUGGESTED_UNIT = Matter._meta.get_field("suggested_unit")


def matter_merged_in(user: Any, matter: Matter) -> list[Matter]:
    """The matters merged into ``matter`` that the user may see (a matter from another district
    merged in by the city stays out of a district's page)."""
    return list(
        matter_visible(user).filter(merged_into=matter).only("number", "title").order_by("id")
    )


def matter_merged_into_visible(user: Any, matter: Matter) -> bool:
    """May the user open the matter ``matter`` was merged into? (Its number is part of this
    matter's record; the link is offered only where it leads somewhere.)"""
    return bool(
        matter.merged_into_id and matter_visible(user).filter(pk=matter.merged_into_id).exists()
    )


def matter_co_units(matter: Matter) -> list[MatterUnit]:
    """The co-units (协办单位) of a matter the caller has already read through ``matter_get``:
    rows with ``unit`` and the co-unit's own report (``reported_at``, ``report``; 首接负责).
    The matter remembers their units, so the actions offered next need no query of their own
    (``actions.is_co_unit_staff``)."""
    rows = list(MatterUnit.objects.filter(matter=matter).select_related("unit").order_by("id"))
    matter._co_unit_ids = frozenset(r.unit_id for r in rows)  # type: ignore[attr-defined]
    return rows


def matter_events(matter: Matter) -> QuerySet[MatterEvent]:
    return matter.events.select_related("unit").prefetch_related("attachments").order_by("id")


def category_by_code(code: str) -> Category | None:
    """The active category ``code`` as ``category_list`` gives it (intake; memoised per
    process: core.lookups, family "catalogue")."""
    return lookups.memo("catalogue").get(("active", code), category_list().filter(code=code).first)


def category_by_id(pk: int) -> Category:
    """Any category, active or not, with its group (a matter's page; memoised per process)."""
    found = lookups.memo("catalogue").get(
        ("id", pk), Category.objects.select_related("parent").filter(pk=pk).first
    )
    if found is None:
        raise Category.DoesNotExist(pk)
    return found


def category_list(user: Any | None = None, *, active_only: bool = True) -> QuerySet[Category]:
    qs = Category.objects.select_related("parent")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("order", "code")


def public_lookup(number: str, phone_last4: str) -> Matter | None:
    """The public progress lookup: matter number plus the last four digits of the phone."""
    number, phone_last4 = (number or "").strip().upper(), (phone_last4 or "").strip()
    if len(phone_last4) != 4 or not phone_last4.isdigit():
        return None
    matter = Matter.objects.select_related("category__parent", "area").filter(number=number).first()
    if matter is None or not matter.reporter_phone.endswith(phone_last4):
        return None
    return matter


def public_matter(pk: int) -> Matter | None:
    """The matter a resident proved on the lookup page (its id kept in their session)."""
    return Matter.objects.select_related("category__parent", "area").filter(pk=pk).first()


def now() -> dt.datetime:
    return timezone.now()


# Reads for the matter pages -------------------------------------------------------------------


def matter_timeline(matter: Matter) -> QuerySet[MatterEvent]:
    """The events of a matter with their actor, unit and attachments, oldest first."""
    return (
        matter.events.select_related("unit", "actor").prefetch_related("attachments").order_by("id")
    )


def category_get(code: str) -> Category | None:
    """An active category (not a group) by code; the catalogue is public."""
    if not code:
        return None
    return (
        Category.objects.select_related("parent")
        .filter(code=code, is_active=True, parent__isnull=False)
        .first()
    )


def dispatch_units(user: Any, matter: Matter) -> QuerySet[Any]:
    """Units a matter may be dispatched to: the active units in the user's scope, and the units of
    the areas above the matter up to its district (a street centre dispatches to district
    departments, e.g. 渝中区住房城乡建委)."""
    from django.db.models import Q

    from zhili.areas.models import Level
    from zhili.org.models import Unit
    from zhili.org.selectors import unit_list

    codes = [*matter.area.ancestor_codes, matter.area.code]
    above = Q(area__code__in=codes) & ~Q(area__level=Level.CITY)
    own = unit_list(user).values("pk")
    return (
        Unit.objects.filter(is_active=True)
        .filter(Q(pk__in=own) | above)
        .select_related("area")
        .order_by("area__depth", "area__code", "name")
    )


def attachment_visible(user: Any, sha256: str) -> Any:
    """An attachment of an event of a matter the user may see (404 otherwise)."""
    from zhili.matters.models import Attachment

    matters = matter_visible(user).values("pk")
    found = (
        Attachment.objects.filter(sha256=sha256)
        .filter(pk__in=MatterEvent.objects.filter(matter__in=matters).values("attachments"))
        .first()
    )
    if found is None:
        raise NotFound(gettext("附件不存在或不在您的管辖范围内"), code="attachment_not_found")
    return found


# Area pickers: staff choose within the areas where they may register matters (down to buildings);
# the public chooses district → street → community, without login.

PICKER_LIMIT = 500


def _picker_deepest(public: bool) -> int:
    from zhili.areas.models import LEVEL_ORDER, Level

    return LEVEL_ORDER.index(Level.COMMUNITY if public else Level.BUILDING)


def area_picker_roots(user: Any | None) -> list[Area]:
    """The first select of the picker: districts (public) or the roots of the user's add scope."""
    from django.conf import settings

    from zhili.core.scoping import scope_paths

    if user is None:
        root = Area.objects.filter(code=settings.ZHILI_ROOT_CODE).first()
        return list(Area.objects.current().filter(parent=root).order_by("code")) if root else []
    paths = scope_paths(user, Matter, "add")
    if paths is None:
        return list(Area.objects.current().filter(code=settings.ZHILI_ROOT_CODE))
    codes = [p.rstrip("/").rsplit("/", 1)[-1] for p in paths]
    return list(Area.objects.current().filter(code__in=codes).order_by("path"))


def area_picker_area(user: Any | None, code: str) -> Area | None:
    """A current area the picker may offer to ``user`` (None: anyone, the public picker)."""
    from django.conf import settings

    from zhili.areas.models import LEVEL_ORDER

    area = Area.objects.current().filter(code=(code or "").strip()).first()
    if area is None or LEVEL_ORDER.index(area.level) > _picker_deepest(user is None):
        return None
    if user is None:
        return area if settings.ZHILI_ROOT_CODE in area.path.split("/") else None
    return area if can(user, "add", Matter, area.path) else None


def area_picker_children(user: Any | None, area: Area) -> list[Area]:
    from zhili.areas.models import LEVEL_ORDER

    if LEVEL_ORDER.index(area.level) >= _picker_deepest(user is None):
        return []
    return list(Area.objects.current().filter(parent=area).order_by("code")[:PICKER_LIMIT])


def area_picker_chain(
    user: Any | None, code: str = "", *, choose_single_root: bool = True
) -> list[dict[str, Any]]:
    """The picker's selects for a chosen area: [{"options": [...], "selected": code}, ...] from the
    roots down to the chosen area, then its children (nothing chosen) if it has any.
    ``choose_single_root``: with nothing chosen and one root, choose it (a new form); not when
    the form comes back refused for having no area (the select would say chosen beside "choose")."""
    roots = area_picker_roots(user)
    chosen = area_picker_area(user, code) if code else None
    if chosen is None:
        if len(roots) == 1 and choose_single_root:  # one root: chosen, its children offered
            chosen = roots[0]
        else:
            return [{"options": roots, "selected": ""}]
    root_codes = {a.code for a in roots}
    lineage = [*chosen.ancestor_codes, chosen.code]
    start = next((i for i, c in enumerate(lineage) if c in root_codes), None)
    if start is None:
        return [{"options": roots, "selected": ""}]
    by_code = {a.code: a for a in Area.objects.filter(code__in=lineage[start:])}
    chain = [{"options": roots, "selected": lineage[start]}]
    for parent_code, child_code in zip(lineage[start:], lineage[start + 1 :], strict=False):
        chain.append(
            {
                "options": area_picker_children(user, by_code[parent_code]),
                "selected": child_code,
            }
        )
    below = area_picker_children(user, chosen)
    if below:
        chain.append({"options": below, "selected": ""})
    return chain


def report_areas(user: Any) -> list[Area]:
    """The grids (and their buildings) where a grid worker may report, for the phone form."""
    from django.db.models import Q

    from zhili.areas.models import Level
    from zhili.core.scoping import scope_paths

    paths = scope_paths(user, Matter, "add")
    qs = Area.objects.current().filter(level__in=[Level.GRID, Level.BUILDING])
    if paths is not None:
        if not paths:
            return []
        q = Q(pk__in=[])
        for p in paths:
            q |= path_prefix_q("path", p)
        qs = qs.filter(q)
    return list(qs.select_related("parent").order_by("path")[:PICKER_LIMIT])


# 定位 (place): where a matter located only to its district may go, and the suggestions ---------

PLACEABLE = (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED)
NEAR_METRES = 300  # recent matters this close say where a point usually goes
RECENT_DAYS = 90


def place_label(area: Area) -> str:
    """ "解放碑街道 · 民生路社区" for a pick list."""
    from zhili.areas.models import Level

    if area.level in (Level.COMMUNITY, Level.GRID) and area.parent is not None:
        return f"{area.parent.name} · {area.name}"
    return area.name


def place_choices(user: Any, matter: Matter) -> QuerySet[Area]:
    """Streets and communities (and grids) of the matter's district where the user may dispatch."""
    from zhili.areas.models import Level
    from zhili.core.scoping import paths_q, scope_paths

    return (
        Area.objects.current()
        .filter(
            path__startswith=_district_path(matter),
            level__in=[Level.STREET, Level.COMMUNITY, Level.GRID],
        )
        .filter(paths_q("path", scope_paths(user, Matter, "dispatch")))
        .select_related("parent")
        # What a pick list shows (``place_label``, the code): a district's hundreds of areas
        # without their boundaries (GeoJSON) and the rest of their rows.
        .only("code", "name", "level", "path", "parent__name")
        .order_by("path")
    )


def _district_path(matter: Matter) -> str:
    codes = [c for c in matter.area_path.split("/") if c]
    return "/".join(codes[:2]) + "/"


@dataclass(frozen=True)
class PlaceSuggestion:
    area: Area
    label: str
    reason: str


def _metres(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Equirectangular distance: exact enough within a district."""
    import math

    k = 111_320.0
    dx = (lng2 - lng1) * k * math.cos(math.radians((lat1 + lat2) / 2))
    dy = (lat2 - lat1) * k
    return math.hypot(dx, dy)


def place_suggestions(matter: Matter, limit: int = 3) -> list[PlaceSuggestion]:
    """Where a matter located only to its district probably belongs, best first: the nearest grids
    and buildings (their polygons or positions) and where recent matters nearby were placed."""
    from shapely.geometry import shape

    from zhili.areas.models import Level

    if matter.lat is None or matter.lng is None:
        return []
    lat, lng = matter.lat, matter.lng
    district = _district_path(matter)
    scored: list[tuple[float, Area, str]] = []
    grids = Area.objects.current().filter(
        path__startswith=district, level=Level.GRID, geometry__isnull=False
    )
    for g in grids.select_related("parent").only(
        "id", "code", "name", "path", "geometry", "parent__name", "level", "parent_id"
    ):
        try:
            c = shape(g.geometry).centroid
        except (ValueError, TypeError, AttributeError):
            continue
        d = _metres(lat, lng, c.y, c.x)
        scored.append(
            (
                d,
                g,
                gettext("最近网格 %(name)s 约 %(d)s 米") % {"name": g.name, "d": format(d, ".0f")},
            )
        )
    buildings = Area.objects.current().filter(
        path__startswith=district, level=Level.BUILDING, lat__isnull=False, lng__isnull=False
    )
    for b in buildings.select_related("parent").only(
        "id", "code", "name", "path", "lat", "lng", "parent__name", "level", "parent_id"
    )[:2000]:
        d = _metres(lat, lng, b.lat, b.lng)  # type: ignore[arg-type]
        if b.parent is not None:
            scored.append(
                (
                    d,
                    b.parent,
                    gettext("附近楼栋 %(name)s 约 %(d)s 米")
                    % {"name": b.name, "d": format(d, ".0f")},
                )
            )
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    box = NEAR_METRES / 111_320.0
    near = (
        Matter.objects.filter(
            area_path__startswith=district,
            created_at__gte=since,
            lat__range=(lat - box, lat + box),
            lng__range=(lng - 2 * box, lng + 2 * box),
        )
        .exclude(pk=matter.pk)
        .exclude(area__level=Level.DISTRICT)
        .select_related("area", "area__parent")
        .only(
            "lat",
            "lng",
            "area__code",
            "area__name",
            "area__path",
            "area__level",
            "area__parent__name",
            "area__parent_id",
        )[:200]
    )
    for other in near:
        d = _metres(lat, lng, other.lat, other.lng)  # type: ignore[arg-type]
        if d <= NEAR_METRES:
            scored.append(
                (
                    d,
                    other.area,
                    gettext("%(RECENT_DAYS)s 天内约 %(d)s 米处的诉求在 %(name)s")
                    % {"RECENT_DAYS": RECENT_DAYS, "d": format(d, ".0f"), "name": other.area.name},
                )
            )
    scored.sort(key=lambda t: t[0])
    out: list[PlaceSuggestion] = []
    for _d, area, reason in scored:
        if any(s.area.pk == area.pk for s in out):
            continue
        out.append(PlaceSuggestion(area, place_label(area), reason))
        if len(out) == limit:
            break
    return out


def field_reporter(user: Any) -> bool:
    """Whether the user reports from the field (the phone form 上报, the home page's big button):
    the right to register matters only in grids or buildings (a grid worker's grant)."""
    from zhili.areas.models import LEVEL_ORDER, Level
    from zhili.core.scoping import scope_paths

    paths = scope_paths(user, Matter, "add")
    grid_depth = LEVEL_ORDER.index(Level.GRID) + 1  # codes in a grid's path
    if not paths:  # None (everywhere) or nowhere: not a field reporter
        return False
    return all(len([c for c in p.split("/") if c]) >= grid_depth for p in paths)
