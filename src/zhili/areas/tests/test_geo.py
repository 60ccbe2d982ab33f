"""lat/lng → area lookup and operators' boundary uploads."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhili.areas.changes import division_change_apply
from zhili.areas.geo import boundaries_upload
from zhili.areas.models import Boundary
from zhili.core.errors import ValidationFailed

IN_GRID = (29.5552, 106.5702)  # inside the first demo grid of 民生路社区 (解放碑街道)
GRID = "500103003013001"
IN_WANZHOU = (30.80, 108.40)
BEIJING = (39.9, 116.4)


def locate(client: Any, headers: dict[str, str], lat: Any, lng: Any) -> Any:
    return client.get(f"/api/v1/areas/locate?lat={lat}&lng={lng}", headers=headers)


def square(lat: float, lng: float, size: float = 0.2) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[108.0, 30.0], [108.5, 30.5], [108.5, 30.0], [108.0, 30.5], [108.0, 30.0]]],
}


def collection(*features: tuple[str, dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"code": code}, "geometry": geom}
                for code, geom in features
            ],
        }
    ).encode()


def active_boundaries() -> list[tuple[int, int]]:
    return list(Boundary.objects.filter(active=True).order_by("id").values_list("id", "area_id"))


# Locate --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_point_in_a_demo_grid_answers_the_grid(client: Any, bearer: Any) -> None:
    body = locate(client, bearer("city_admin"), *IN_GRID).json()
    assert (body["code"], body["level"]) == (GRID, "grid")
    assert body["path"].startswith("500000/500103/500103003/")
    # The grid worker of that grid gets the same answer.
    assert locate(client, bearer("grid_jfb_01"), *IN_GRID).json()["code"] == GRID


@pytest.mark.django_db
def test_point_in_wanzhou_answers_the_district(client: Any, bearer: Any) -> None:
    body = locate(client, bearer("wanzhou"), *IN_WANZHOU).json()
    assert (body["code"], body["name"]) == ("500101", "万州区")


@pytest.mark.django_db
def test_point_outside_the_callers_scope_is_404(client: Any, bearer: Any) -> None:
    response = locate(client, bearer("yuzhong"), *IN_WANZHOU)
    assert response.status_code == 404
    assert response.json()["code"] == "area_not_found"


@pytest.mark.django_db
def test_point_outside_chongqing_is_outside_jurisdiction(client: Any, bearer: Any) -> None:
    response = locate(client, bearer("city_admin"), *BEIJING)
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "outside_jurisdiction"
    assert "不在本市" in body["message"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lat", "lng", "code"),
    [(95, 106.5, "invalid_point"), (29.5, 190, "invalid_point"), ("abc", 106.5, "invalid")],
)
def test_invalid_coordinates_are_a_4xx_with_the_error_shape(
    client: Any, bearer: Any, lat: Any, lng: Any, code: str
) -> None:
    response = locate(client, bearer("city_admin"), lat, lng)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code


@pytest.mark.django_db
def test_locate_page_redirects_to_the_area(login: Any) -> None:
    client = login("jiefangbei")
    response = client.get(f"/areas/locate/?lat={IN_GRID[0]}&lng={IN_GRID[1]}")
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{GRID}/"
    outside = client.get(f"/areas/locate/?lat={BEIJING[0]}&lng={BEIJING[1]}")
    assert outside.status_code == 404
    assert "不在本市" in outside.content.decode()
    assert client.get("/areas/locate/?lat=north&lng=").status_code == 422


@pytest.mark.django_db
def test_locate_after_a_merge_answers_the_successor_not_the_ended_district(
    client: Any, bearer: Any
) -> None:
    headers = bearer("city_admin")
    assert locate(client, headers, *IN_WANZHOU).json()["code"] == "500101"
    division_change_apply(
        actor=None,
        data=b"""
[change]
slug = "test-merge-wanzhou"
title = "test"
effective = 2026-03-01
[[op]]
op = "merge"
from = ["500101"]
into = "500102"
""",
    )
    body = locate(client, headers, *IN_WANZHOU).json()
    assert body["current"] is True
    assert body["code"] == "500102"


# Boundary uploads ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_good_upload_replaces_the_boundary_and_locate_uses_it(
    client: Any, bearer: Any, users: dict[str, Any]
) -> None:
    headers = bearer("city_admin")
    old = Boundary.objects.get(area__code="500101", active=True)
    boundaries_upload(
        actor=users["city_admin"],
        data=collection(("500101", square(39.8, 116.3))),
        source="测试上传",
        approval_no="渝S(2026)001号",
    )
    old.refresh_from_db()
    assert not old.active
    new = Boundary.objects.get(area__code="500101", active=True)
    assert (new.source, new.approval_no, new.uploaded_by) == (
        "测试上传",
        "渝S(2026)001号",
        users["city_admin"],
    )
    assert locate(client, headers, *BEIJING).json()["code"] == "500101"
    assert locate(client, headers, *IN_WANZHOU).json()["code"] != "500101"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "不是有效的 GeoJSON"),
        (b'{"type": "LineString", "coordinates": []}', "GeoJSON 须为"),
        (b'{"type": "FeatureCollection", "features": []}', "没有任何边界"),
        (b'{"type": "FeatureCollection", "features": {"a": 1}}', "features"),
        (b'{"type": "FeatureCollection", "features": [{"geometry": [1]}]}', "格式不正确"),
        (b'{"type": "Polygon"}', "有错误"),
        (b'{"type": "Polygon", "coordinates": [[[NaN, 0], [1, 1], [1, 0], [NaN, 0]]]}', "有错误"),
    ],
    ids=["not-json", "line", "empty", "features-object", "geometry-list", "no-coords", "nan"],
)
def test_unreadable_boundary_file_is_refused(
    users: dict[str, Any], data: bytes, message: str
) -> None:
    before = active_boundaries()
    with pytest.raises(ValidationFailed, match=message):
        boundaries_upload(actor=users["city_admin"], data=data, source="x")
    assert active_boundaries() == before


@pytest.mark.django_db
def test_bad_features_are_row_errors_and_nothing_is_replaced(users: dict[str, Any]) -> None:
    before = active_boundaries()
    data = collection(
        ("500101", square(30.5, 108.2)),  # fine on its own
        ("599999", square(30.5, 108.2)),  # unknown code
        ("500103", BOWTIE),  # self-intersecting
        ("500105", square(29.6, 106.6)),  # 江北区: ended
        ("500102", {"type": "Point", "coordinates": [107.4, 29.7]}),  # not a polygon
    )
    with pytest.raises(ValidationFailed) as err:
        boundaries_upload(actor=users["city_admin"], data=data, source="x")
    rows = {e["row"]: e for e in err.value.detail}
    assert sorted(rows) == [2, 3, 4, 5]
    assert rows[2]["code"] == "599999" and "不存在" in rows[2]["message"]
    assert "自相交" in rows[3]["message"]
    assert "已撤销" in rows[4]["message"]
    assert "Polygon" in rows[5]["message"]
    assert active_boundaries() == before


@pytest.mark.django_db
def test_district_officer_cannot_replace_another_districts_boundary(
    users: dict[str, Any],
) -> None:
    before = active_boundaries()
    with pytest.raises(ValidationFailed) as err:
        boundaries_upload(
            actor=users["yuzhong"],
            data=collection(("500101", square(30.5, 108.2))),
            source="x",
        )
    assert "权限" in err.value.detail[0]["message"]
    assert active_boundaries() == before


@pytest.mark.django_db
def test_boundaries_page_shows_row_errors_and_replaces_nothing(login: Any) -> None:
    before = active_boundaries()
    upload = SimpleUploadedFile("b.geojson", collection(("599999", square(30.5, 108.2))))
    response = login("city_admin").post(
        "/areas/boundaries/", {"file": upload, "source": "测试", "approval_no": ""}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-errors"' in html and "599999" in html
    assert "未做任何修改" in html
    assert active_boundaries() == before


@pytest.mark.django_db
def test_boundaries_page_good_upload_redirects(login: Any) -> None:
    upload = SimpleUploadedFile("b.geojson", collection(("500101", square(30.5, 108.2))))
    response = login("wanzhou").post("/areas/boundaries/", {"file": upload, "source": "万州测绘"})
    assert response.status_code == 302
    assert Boundary.objects.get(area__code="500101", active=True).source == "万州测绘"


def test_loading_demo_boundaries_again_adds_nothing(db: Any) -> None:
    from zhili.areas.geo import boundaries_load_demo
    from zhili.areas.models import Boundary

    before = Boundary.objects.count()
    assert boundaries_load_demo() == 0
    assert Boundary.objects.count() == before
