"""Writes to the area tree made by staff: grids and buildings under communities.

Official levels (city to community) come from the statistical data and division change files
(``changes.py``); staff add and edit the levels below a community.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.audit import audit_record, snapshot
from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.core.i18n import stored
from zhili.core.scoping import can

EDITABLE_LEVELS = {Level.GRID.value, Level.BUILDING.value}
PARENT_LEVEL = {Level.GRID.value: Level.COMMUNITY.value, Level.BUILDING.value: Level.GRID.value}
CODE_RE = re.compile(r"^[0-9A-Za-z]{1,32}$")
CHILD_SUFFIX_WIDTH = 3


def child_path(parent: Area, code: str) -> str:
    return f"{parent.path}{code}/"


def next_child_code(parent: Area) -> str:
    """Grids and buildings are numbered under their parent: parent code + 3 digits."""
    codes = Area.objects.filter(parent=parent, code__startswith=parent.code).values_list(
        "code", flat=True
    )
    used = [int(c[len(parent.code) :]) for c in codes if c[len(parent.code) :].isdigit()]
    n = max(used, default=0) + 1
    if n >= 10**CHILD_SUFFIX_WIDTH:
        raise ValidationFailed(
            gettext("%(name)s 下的编号已用完") % {"name": parent.name}, code="code_exhausted"
        )
    return f"{parent.code}{n:0{CHILD_SUFFIX_WIDTH}d}"


def validate_point(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise ValidationFailed(gettext("经度和纬度须同时填写"), code="invalid_point")
    if lat is not None and not (-90 <= lat <= 90):
        raise ValidationFailed(gettext("纬度须在 -90 到 90 之间"), code="invalid_point")
    if lng is not None and not (-180 <= lng <= 180):
        raise ValidationFailed(gettext("经度须在 -180 到 180 之间"), code="invalid_point")


def validate_polygon(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    if geometry is None:
        return None
    from zhili.areas.geo import checked_polygon

    checked_polygon(geometry)
    return geometry


def _check_parent(*, actor: Any, parent: Area, level: str) -> None:
    if level not in EDITABLE_LEVELS:
        raise ValidationFailed(gettext("只能在此新建网格或楼栋"), code="invalid_level")
    if not parent.is_current:
        raise ValidationFailed(
            gettext("%(name)s 已撤销，不能再新建下级") % {"name": parent.name}, code="area_ended"
        )
    if parent.level != PARENT_LEVEL[level]:
        wanted = Level(PARENT_LEVEL[level]).label
        raise ValidationFailed(
            gettext("%(Level)s的上级须为%(wanted)s，%(name)s 是%(get_level_display)s")
            % {
                "Level": Level(level).label,
                "wanted": wanted,
                "name": parent.name,
                "get_level_display": parent.get_level_display(),
            },
            code="invalid_parent",
        )
    if not can(actor, "view", Area, parent.path):
        raise NotFound(gettext("区域不存在"), code="area_not_found")
    if not can(actor, "add", Area, parent.path):
        raise PermissionDenied(gettext("没有在该区域维护网格和楼栋的权限"))


@transaction.atomic
def area_create(
    *,
    actor: Any,
    parent: Area,
    level: str,
    name: str,
    code: str = "",
    households: int | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    geometry: dict[str, Any] | None = None,
    audit: bool = True,
) -> Area:
    """Create a grid (under a community) or a building (under a grid)."""
    _check_parent(actor=actor, parent=parent, level=level)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(gettext("名称不能为空"), code="name_required")
    code = (code or "").strip() or next_child_code(parent)
    if not CODE_RE.match(code):
        raise ValidationFailed(gettext("代码只能由字母和数字组成，最长 32 位"), code="invalid_code")
    if Area.objects.filter(code=code).exists():
        raise ValidationFailed(
            gettext("代码 %(code)s 已被使用") % {"code": code}, code="duplicate_code"
        )
    if households is not None and households < 0:
        raise ValidationFailed(gettext("户数不能为负数"), code="invalid_households")
    validate_point(lat, lng)
    area = Area.objects.create(
        code=code,
        name=name[:100],
        level=level,
        kind=stored(Level(level).label),
        parent=parent,
        path=child_path(parent, code),
        depth=parent.depth + 1,
        households=households,
        address=address[:200],
        lat=lat,
        lng=lng,
        geometry=validate_polygon(geometry),
    )
    if audit:
        audit_record(
            actor=actor, action="area.create", obj=area, area_path=area.path, after=snapshot(area)
        )
    return area


UPDATABLE = ("name", "households", "address", "lat", "lng", "geometry")


@transaction.atomic
def area_update(*, actor: Any, area: Area, **changes: Any) -> Area:
    """Edit a grid or building's name, households, address, position or boundary."""
    area = Area.objects.select_for_update().get(pk=area.pk)
    if area.level not in EDITABLE_LEVELS:
        raise ValidationFailed(
            gettext("区县、街道和社区以区划数据为准，请通过区划变更修改"), code="not_editable"
        )
    if not can(actor, "view", Area, area.path):
        raise NotFound(gettext("区域不存在"), code="area_not_found")
    if not can(actor, "change", Area, area.path):
        raise PermissionDenied(gettext("没有维护该区域的权限"))
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationFailed(
            gettext("不能修改这些字段"), code="invalid_field", detail=sorted(unknown)
        )
    if "name" in changes and not (changes["name"] or "").strip():
        raise ValidationFailed(gettext("名称不能为空"), code="name_required")
    if changes.get("households") is not None and changes["households"] < 0:
        raise ValidationFailed(gettext("户数不能为负数"), code="invalid_households")
    validate_point(changes.get("lat", area.lat), changes.get("lng", area.lng))
    if "geometry" in changes:
        changes["geometry"] = validate_polygon(changes["geometry"])
    before = snapshot(area, list(UPDATABLE))
    for key, value in changes.items():
        setattr(area, key, value.strip() if isinstance(value, str) else value)
    area.save()
    after = snapshot(area, list(UPDATABLE))
    changed = {k for k in before if before[k] != after[k]}
    if changed:
        audit_record(
            actor=actor,
            action="area.update",
            obj=area,
            area_path=area.path,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return area
