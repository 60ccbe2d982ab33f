"""Demo street boundaries for 渝中区, generated (not surveyed).

No public street (乡镇/街道) boundaries can be shipped: approved ones carry a 审图号 and are loaded
by the district through the boundary upload (``areas.geo.boundaries_upload``). So that a point in
the demo finds its street, this script cuts the district's package polygon into one cell per street:
k-means centres of points spread over the district, their Voronoi cells clipped to the district, and
解放碑街道's cell widened to cover its demo grids. The shapes are invented and say so in their source;
the streets' names and codes are the real ones of the area tree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from shapely import contains_xy, voronoi_polygons
from shapely.geometry import MultiPoint, Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_limits

from zhili.areas.models import Area, Boundary, Level

DEMO_STREET_SOURCE = "演示边界（由区县边界按街道数生成，非真实街道边界，无审图号）"
STEP = 0.001  # degrees between sample points (≈ 100 m)


def _samples(district: BaseGeometry) -> np.ndarray:
    """The points of a ``STEP`` lattice inside the district, column by column (x, then y)."""
    minx, miny, maxx, maxy = district.bounds
    gx, gy = np.meshgrid(np.arange(minx, maxx, STEP), np.arange(miny, maxy, STEP), indexing="ij")
    xs, ys = gx.ravel(), gy.ravel()
    inside = contains_xy(district, xs, ys)
    return np.column_stack([xs[inside], ys[inside]])


def street_cells(
    district: BaseGeometry, streets: list[Area], anchor: dict[str, BaseGeometry]
) -> dict[str, BaseGeometry]:
    """One polygon per street code, together covering ``district``. ``anchor`` gives streets a
    shape their cell must contain (their demo grids)."""
    # One thread: a couple of thousand points take milliseconds, while OpenMP's threads spin
    # for seconds of CPU on a busy machine (the centres are the same either way).
    with threadpool_limits(1):
        model = KMeans(n_clusters=len(streets), random_state=0, n_init=10)
        model.fit(_samples(district))
    centres = [Point(x, y) for x, y in model.cluster_centers_]
    free = list(range(len(centres)))
    chosen: dict[str, int] = {}
    for code, shape_ in anchor.items():  # the anchored streets take the centre nearest them
        i = min(free, key=lambda k: centres[k].distance(shape_.centroid))
        chosen[code] = i
        free.remove(i)
    for street in streets:
        if street.code not in chosen:
            chosen[street.code] = free.pop(0)
    cells = voronoi_polygons(MultiPoint(centres), extend_to=district.envelope.buffer(0.05))
    by_centre = {}
    for cell in cells.geoms:
        i = next(k for k, c in enumerate(centres) if cell.contains(c))
        by_centre[i] = cell.intersection(district)
    out = {code: by_centre[i] for code, i in chosen.items()}
    for code, shape_ in anchor.items():
        grown = shape_.convex_hull.buffer(STEP)  # the demo grids reach a little into the river
        out = {c: (g.union(grown) if c == code else g.difference(grown)) for c, g in out.items()}
    return {c: g.buffer(0) for c, g in out.items() if not g.is_empty}


def demo_street_geojson(district_code: str = "500103") -> dict[str, Any] | None:
    """A FeatureCollection of generated boundaries for the district's current streets, or None
    when the district has no boundary (load the areas first)."""
    district = Area.objects.get(code=district_code)
    b = Boundary.objects.filter(area=district, active=True).first()
    if b is None:
        return None
    streets = list(
        Area.objects.current().filter(parent=district, level=Level.STREET).order_by("code")
    )
    anchor = {}
    for street in streets:
        grids = Area.objects.current().filter(
            level=Level.GRID, geometry__isnull=False, path__startswith=street.path
        )
        shapes = [shape(g.geometry) for g in grids.only("geometry")]
        if shapes:
            anchor[street.code] = unary_union(shapes)
    cells = street_cells(shape(b.geometry), streets, anchor)
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code}, "geometry": mapping(geom)}
            for code, geom in cells.items()
        ],
    }
