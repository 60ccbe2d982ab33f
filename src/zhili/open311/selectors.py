"""Reads for Open311. GeoReport v2 reads are public, so they cannot start from ``visible_to``
(an anonymous client has no grants); instead every read is limited to an area subtree (the key's
area, the ``jurisdiction_id``, or the city's root) and presenters.py shows only public fields."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.utils.translation import gettext

from zhili.areas.models import LEVEL_ORDER, Area, Level
from zhili.core.errors import NotFound, ValidationFailed
from zhili.core.models import AuditEvent
from zhili.core.scoping import path_prefix_q
from zhili.matters.models import FINAL_STATUSES, Category, Matter, MatterEvent
from zhili.open311.inputs import RequestQuery
from zhili.open311.models import Open311Key, Open311Submission

# Areas specific enough to file a matter in (matter_create wants a street or below).
LOCATABLE = (Level.STREET, Level.COMMUNITY, Level.GRID, Level.BUILDING)


def root_area() -> Area:
    area = Area.objects.filter(code=settings.ZHILI_ROOT_CODE).first()
    if area is None:
        raise NotFound(gettext("区划尚未载入"), code="no_areas")
    return area


def jurisdiction_get(code: str) -> Area:
    """An area of this installation's tree by code (current or historical); 404 otherwise."""
    area = Area.objects.filter(code=code).first() if code else None
    if area is None or not area.path.startswith(f"{settings.ZHILI_ROOT_CODE}/"):
        raise NotFound(
            gettext("jurisdiction_id %(code)s 不存在或不在本系统管辖范围内") % {"code": code},
            code="jurisdiction",
        )
    return area


def read_scope(key: Open311Key | None, jurisdiction_id: str) -> Area:
    """The subtree a read may see: the jurisdiction_id's, within the key's area (if any)."""
    base = key.area if key is not None and key.area is not None else None
    if jurisdiction_id:
        area = jurisdiction_get(jurisdiction_id)
        if base is not None and not area.path.startswith(base.path):
            raise NotFound(
                gettext("jurisdiction_id %(jurisdiction_id)s 不在该接口密钥的范围内")
                % {"jurisdiction_id": jurisdiction_id},
                code="jurisdiction",
            )
        return area
    return base or root_area()


def key_by_hash(key_hash: str) -> Open311Key | None:
    return Open311Key.objects.select_related("area").filter(key_hash=key_hash).first()


def key_list() -> QuerySet[Open311Key]:
    return Open311Key.objects.select_related("area").order_by("id")


# The catalogue ---------------------------------------------------------------------------------


def service_list() -> QuerySet[Category]:
    """One service per active category under a group (the catalogue is public)."""
    return (
        Category.objects.select_related("parent")
        .filter(is_active=True, parent__isnull=False)
        .order_by("order", "code")
    )


def service_get(code: str) -> Category:
    category = service_list().filter(code=code).first() if code else None
    if category is None:
        raise NotFound(
            gettext("service_code %(code)s 不存在或已停用") % {"code": code}, code="service_code"
        )
    return category


def catalogue_changeset() -> dt.datetime | None:
    """When the catalogue last changed (its audited edits), for discovery's changeset."""
    return AuditEvent.objects.filter(action__startswith="category.").aggregate(m=Max("at"))["m"]


# Service requests ------------------------------------------------------------------------------


def private_categories() -> list[str]:
    """Category codes (with their sub-categories) never shown in the public feed
    (ZHILI_OPEN311_PRIVATE_CATEGORIES)."""
    return list(getattr(settings, "ZHILI_OPEN311_PRIVATE_CATEGORIES", []))


def _requests_in(scope: Area) -> QuerySet[Matter]:
    last_event = MatterEvent.objects.filter(matter=OuterRef("pk")).order_by("-id").values("at")[:1]
    private = private_categories()
    return (
        Matter.objects.filter(path_prefix_q("area_path", scope.path))
        .exclude(category__code__in=private)
        .exclude(category__parent__code__in=private)
        .select_related("category", "area", "lead_unit", "merged_into", "open311")
        .annotate(updated_at=Coalesce(Subquery(last_event), F("created_at")))
    )


def request_list(scope: Area, query: RequestQuery) -> list[Matter]:
    """GET requests: by ids (overriding every other filter), or by code, status and date range,
    newest first, one page of at most 1000."""
    qs = _requests_in(scope)
    if query.ids:
        return list(qs.filter(number__in=query.ids).order_by("-created_at", "-id"))
    qs = qs.filter(created_at__gte=query.start, created_at__lte=query.end)
    if query.service_codes:
        qs = qs.filter(category__code__in=query.service_codes)
    if query.statuses == {"closed"}:
        qs = qs.filter(status__in=FINAL_STATUSES)
    elif query.statuses == {"open"}:
        qs = qs.exclude(status__in=FINAL_STATUSES)
    offset = (query.page - 1) * query.page_size
    return list(qs.order_by("-created_at", "-id")[offset : offset + query.page_size])


def request_get(scope: Area, number: str) -> Matter:
    matter = _requests_in(scope).filter(number=number).first()
    if matter is None:
        raise NotFound(
            gettext("service_request_id %(number)s 不存在") % {"number": number},
            code="service_request_id",
        )
    return matter


def token_get(scope: Area, token: str) -> Open311Submission:
    private = private_categories()
    found = (
        Open311Submission.objects.select_related("matter")
        .filter(token=token)
        .exclude(matter__category__code__in=private)
        .exclude(matter__category__parent__code__in=private)
        .filter(path_prefix_q("matter__area_path", scope.path))
        .first()
    )
    if found is None:
        raise NotFound(gettext("token %(token)s 不存在") % {"token": token}, code="token")
    return found


def area_names(matters: list[Matter]) -> dict[str, Area]:
    """The areas on the paths of ``matters`` (for the address line), in one query."""
    codes = {c for m in matters for c in m.area_path.split("/") if c}
    return {a.code: a for a in Area.objects.filter(code__in=codes).only("code", "name", "level")}


# Locating a new request ------------------------------------------------------------------------


def area_for_filing(code: str) -> Area:
    """address_id / jurisdiction_id used as the place of a new matter (any level; the service
    decides whether it is specific enough)."""
    area = jurisdiction_get(code)
    if not area.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，请使用现行区域代码") % {"name": area.name}, code="area_ended"
        )
    return area


def areas_named_in(address: str, within: Area) -> list[Area]:
    """Current areas under ``within`` whose full name occurs in ``address``, most specific
    first. A name must have at least two characters."""
    if not address:
        return []
    hits: list[Area] = list(
        Area.objects.current()
        .filter(path_prefix_q("path", within.path))
        .annotate(text=Value(address), name_length=Length("name"))
        .filter(name_length__gte=2, text__contains=F("name"))
        .only("id", "code", "name", "level", "path", "valid_to")
    )
    hits.sort(key=lambda a: (-LEVEL_ORDER.index(a.level), a.path))
    return hits


def area_within(area: Area, scope: Area) -> bool:
    return area.path.startswith(scope.path)
