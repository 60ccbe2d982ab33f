"""A point finds its street and community: the deepest area whose boundary is loaded, coordinates
from Chinese map SDKs converted to WGS-84, the district's 待分拨 queue and 定位 (place), whose
counts move with the matter."""

from __future__ import annotations

import io
import json
from typing import Any

import coordTransform
import pytest
from django.core.management import call_command
from shapely.geometry import Point, shape

from zhili.areas.geo import area_locate, boundaries_upload
from zhili.areas.models import Area, Boundary, Level
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.system import system_user
from zhili.demo.streets import DEMO_STREET_SOURCE
from zhili.matters import selectors, services
from zhili.matters.models import Category, Channel, Matter, MatterAreaDay, MatterUnitDay
from zhili.matters.rollups import ROLLUP_COUNTERS

MONUMENT = (29.5575, 106.577)  # 解放碑 (WGS-84), just east of the demo grids
JIEFANGBEI, YUZHONG, WANZHOU = "500103003", "500103", "500101"

pytestmark = pytest.mark.django_db


def _category() -> Category:
    return Category.objects.filter(parent__isnull=False, is_active=True).order_by("code").first()


def _report(**kw: Any) -> Matter:
    base: dict[str, Any] = {
        "actor": None,
        "category": _category(),
        "channel": Channel.WEB,
        "description": "路灯不亮",
        "reporter_phone": "13800138000",
    }
    return services.matter_create(**{**base, **kw})


def _inside(code: str) -> tuple[float, float]:
    """A point inside the area's active boundary (lat, lng)."""
    b = Boundary.objects.get(area__code=code, active=True)
    p = shape(b.geometry).representative_point()
    return p.y, p.x


def _rollups() -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    for model in (MatterAreaDay, MatterUnitDay):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        counted = [i for i, n in enumerate(names) if n in ROLLUP_COUNTERS]
        rows = model.objects.values_list(*names)
        out[model.__name__] = sorted(r for r in rows if any(r[i] for i in counted))
    return out


def test_the_demo_has_street_boundaries_for_yuzhong_that_cover_it() -> None:
    streets = Area.objects.current().filter(parent__code=YUZHONG, level=Level.STREET)
    rows = Boundary.objects.filter(area__in=streets, active=True)
    assert rows.count() == streets.count() == 11
    assert {b.source for b in rows} == {DEMO_STREET_SOURCE}  # says it is invented
    district = shape(Boundary.objects.get(area__code=YUZHONG, active=True).geometry)
    cells = [shape(b.geometry) for b in rows]
    assert all(c.is_valid for c in cells)
    covered = sum(c.intersection(district).area for c in cells)
    assert covered == pytest.approx(district.area, rel=0.01)  # no gaps, no overlaps
    # 解放碑's own demo grids lie inside its boundary.
    jfb = shape(rows.get(area__code=JIEFANGBEI).geometry)
    for grid in Area.objects.filter(level=Level.GRID, path__contains=f"/{JIEFANGBEI}/"):
        assert jfb.buffer(1e-9).contains(shape(grid.geometry))


def test_the_monument_point_reaches_the_jiefangbei_queue(users: dict[str, Any]) -> None:
    assert area_locate(lat=MONUMENT[0], lng=MONUMENT[1]).code == JIEFANGBEI
    matter = _report(lat=MONUMENT[0], lng=MONUMENT[1])
    assert matter.area.code == JIEFANGBEI and (matter.lat, matter.lng) == MONUMENT
    assert matter in selectors.apply_queue(
        users["jiefangbei"], selectors.matter_visible(users["jiefangbei"]), "intake"
    )


def test_an_uploaded_community_boundary_makes_the_point_finer() -> None:
    community = Area.objects.get(code="500103003013")  # 民生路社区
    square = {
        "type": "Polygon",
        "coordinates": [
            [[106.5766, 29.5570], [106.5780, 29.5570], [106.5780, 29.5580], [106.5766, 29.5580],
             [106.5766, 29.5570]]
        ],
    }  # fmt: skip
    doc = {"type": "Feature", "properties": {"code": community.code}, "geometry": square}
    boundaries_upload(
        actor=system_user(),
        data=json.dumps(doc).encode(),
        source="测试",
        approval_no="渝S(2026)1号",
    )
    assert area_locate(lat=MONUMENT[0], lng=MONUMENT[1]).code == community.code


def test_a_picked_street_is_refined_by_the_point_and_the_point_is_kept() -> None:
    street = Area.objects.get(code=JIEFANGBEI)
    grid = Area.objects.filter(level=Level.GRID, path__contains=f"/{JIEFANGBEI}/").first()
    c = shape(grid.geometry).centroid
    matter = _report(area=street, lat=c.y, lng=c.x)
    assert matter.area == grid and (matter.lat, matter.lng) == (c.y, c.x)
    # A point elsewhere keeps the area the person picked, and the point.
    lat, lng = _inside(WANZHOU)
    matter = _report(area=street, lat=lat, lng=lng)
    assert matter.area == street and matter.lat == lat


@pytest.mark.parametrize("system", ["gcj02", "bd09"])
def test_map_sdk_coordinates_are_converted_to_wgs84(system: str) -> None:
    lat, lng = MONUMENT
    x, y = (coordTransform.wgs84_to_gcj02 if system == "gcj02" else coordTransform.wgs84_to_bd09)(
        lng, lat
    )
    assert abs(x - lng) + abs(y - lat) > 0.003  # hundreds of metres off if taken as WGS-84
    matter = _report(lat=y, lng=x, coord_system=system)
    assert matter.lat == pytest.approx(lat, abs=1e-5) and matter.lng == pytest.approx(lng, abs=1e-5)
    assert matter.area.code == JIEFANGBEI


def test_an_unknown_coordinate_system_is_refused() -> None:
    with pytest.raises(ValidationFailed) as exc:
        _report(lat=MONUMENT[0], lng=MONUMENT[1], coord_system="mars")
    assert exc.value.code == "invalid_coord_system"


def test_a_point_known_only_to_its_district_waits_to_be_placed(users: dict[str, Any]) -> None:
    lat, lng = _inside(WANZHOU)  # 万州区 has no street boundaries
    matter = _report(lat=lat, lng=lng)
    assert matter.area.code == WANZHOU
    officer = users["wanzhou"]
    assert matter in selectors.apply_queue(officer, selectors.matter_visible(officer), "place")
    # The street worker of another district never sees it.
    assert matter not in selectors.matter_visible(users["jiefangbei"])


def test_place_moves_the_matter_and_its_counts(users: dict[str, Any]) -> None:
    lat, lng = _inside(WANZHOU)
    matter = _report(lat=lat, lng=lng)
    officer = users["wanzhou"]
    matter = services.matter_accept(actor=officer, matter=matter)
    street = Area.objects.current().filter(parent__code=WANZHOU, level=Level.STREET).first()
    choices = list(selectors.place_choices(officer, matter))
    assert street in choices and all(a.path.startswith(f"500000/{WANZHOU}/") for a in choices)
    placed = services.matter_place(actor=officer, matter=matter, area=street, note="核实地址")
    assert placed.area == street and placed.area_path == street.path
    assert placed.status == "accepted" and placed.version == matter.version + 1
    event = placed.events.order_by("-id").first()
    assert event.action == "place" and event.summary.endswith(street.name)
    assert placed not in selectors.apply_queue(officer, Matter.objects.all(), "place")
    # The live rollups equal a rebuild from the events (the counts moved to the street).
    kept = _rollups()
    assert MatterAreaDay.objects.filter(area_path=street.path, created=1).exists()
    district = MatterAreaDay.objects.filter(area_path=placed.area.parent.path)
    assert sum(district.values_list("created", flat=True)) == 1  # counted once, not twice
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert _rollups() == kept


def test_place_refuses_another_district_a_district_and_outsiders(users: dict[str, Any]) -> None:
    lat, lng = _inside(WANZHOU)
    matter = _report(lat=lat, lng=lng)
    officer = users["wanzhou"]
    with pytest.raises(ValidationFailed) as exc:
        services.matter_place(actor=officer, matter=matter, area=Area.objects.get(code=JIEFANGBEI))
    assert exc.value.code == "other_district"
    with pytest.raises(ValidationFailed) as exc:
        services.matter_place(actor=officer, matter=matter, area=Area.objects.get(code=WANZHOU))
    assert exc.value.code == "area_too_coarse"
    street = Area.objects.current().filter(parent__code=WANZHOU, level=Level.STREET).first()
    with pytest.raises(PermissionDenied):
        services.matter_place(actor=users["yuzhong"], matter=matter, area=street)


def test_suggestions_name_the_nearest_grid(users: dict[str, Any]) -> None:
    grid = Area.objects.filter(level=Level.GRID, path__contains=f"/{JIEFANGBEI}/").first()
    c = shape(grid.geometry).centroid
    matter = Matter(lat=c.y + 0.0001, lng=c.x, area_path=grid.path, pk=-1)
    found = selectors.place_suggestions(matter)
    assert found and found[0].area == grid and "最近网格" in found[0].reason
    assert Point(c.x, c.y).distance(Point(c.x, c.y + 0.0001)) < 0.001


def test_place_through_the_api(client: Any, bearer: Any, users: dict[str, Any]) -> None:
    lat, lng = _inside(WANZHOU)
    matter = _report(lat=lat, lng=lng)
    street = Area.objects.current().filter(parent__code=WANZHOU, level=Level.STREET).first()
    url = f"/api/v1/matters/{matter.number}/actions/place"
    bad = client.post(
        url, {"area": "999999"}, content_type="application/json", headers=bearer("wanzhou")
    )
    assert bad.status_code == 422 and bad.json()["code"] == "area_not_found"
    ok = client.post(
        url, {"area": street.code}, content_type="application/json", headers=bearer("wanzhou")
    )
    assert ok.status_code == 200, ok.content
    assert Matter.objects.get(pk=matter.pk).area == street


def test_the_batch_and_single_api_take_a_coordinate_system(client: Any, bearer: Any) -> None:
    lat, lng = MONUMENT
    x, y = coordTransform.wgs84_to_gcj02(lng, lat)
    body = {
        "category": _category().code,
        "description": "井盖缺失",
        "lat": y,
        "lng": x,
        "coord_system": "gcj02",
    }
    r = client.post(
        "/api/v1/matters", body, content_type="application/json", headers=bearer("yuzhong")
    )
    assert r.status_code == 201, r.content
    m = Matter.objects.get(number=r.json()["number"])
    assert m.area.code == JIEFANGBEI and m.lat == pytest.approx(lat, abs=1e-5)
    bad = client.post(
        "/api/v1/matters",
        {**body, "coord_system": "mars"},
        content_type="application/json",
        headers=bearer("yuzhong"),
    )
    assert bad.status_code == 422


def test_the_place_and_extension_queues_show_only_to_those_who_work_them(login: Any) -> None:
    page = login("yuzhong").get("/matters/").content.decode()
    assert "待分拨" in page and "待审批延期" in page
    page = login("unit_yz_jw").get("/matters/").content.decode()
    assert "待分拨" not in page and "待审批延期" not in page
    page = login("grid_jfb_01").get("/matters/").content.decode()
    assert "待分拨" not in page
