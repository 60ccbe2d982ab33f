"""Bulk import of grids and buildings: row-numbered errors, all or nothing, never a 500."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhili.areas.imports import ImportErrors, areas_import
from zhili.areas.models import Area
from zhili.core.errors import ValidationFailed
from zhili.core.models import AuditEvent

HEADER = ["层级", "上级代码", "名称", "代码", "户数", "地址", "纬度", "经度"]
LIANHUACHI = "500103003016"  # 莲花池社区 in 解放碑街道


def xlsx(*rows: list[Any], header: list[str] = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def square(lng: float, lat: float, size: float = 0.001) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


GOOD_ROWS = [
    ["网格", LIANHUACHI, "莲花池第九网格", "500103003016901", 380, "", None, None],
    ["楼栋", "500103003016901", "莲花池 1 号楼", "", 48, "莲花池街 1 号", 29.5570, 106.5700],
    ["楼栋", "500103003016901", "莲花池 2 号楼", "", "52", "", None, None],
]


@pytest.mark.django_db
def test_good_xlsx_creates_grids_and_buildings(users: dict[str, Any]) -> None:
    result = areas_import(actor=users["jiefangbei"], data=xlsx(*GOOD_ROWS), filename="网格.xlsx")

    assert len(result.created) == 3
    grid = Area.objects.get(code="500103003016901")
    assert (grid.level, grid.parent.code, grid.households) == ("grid", LIANHUACHI, 380)
    assert grid.path == f"500000/500103/500103003/{LIANHUACHI}/500103003016901/"
    buildings = list(grid.children.order_by("code"))
    assert [b.name for b in buildings] == ["莲花池 1 号楼", "莲花池 2 号楼"]
    assert [b.households for b in buildings] == [48, 52]
    assert (buildings[0].lat, buildings[0].lng, buildings[0].level) == (29.557, 106.57, "building")
    assert buildings[0].code == "500103003016901001"  # numbered under the grid
    assert AuditEvent.objects.filter(action="area.import", actor_name="jiefangbei").count() == 1


@pytest.mark.django_db
def test_bad_rows_are_reported_with_the_row_number_the_user_sees_and_nothing_is_created(
    users: dict[str, Any],
) -> None:
    before = Area.objects.count()
    data = xlsx(
        GOOD_ROWS[0],  # row 2: fine
        ["网格", "500103003999", "未知上级网格", "", 300, "", None, None],  # row 3
        ["网格", "500103003", "挂在街道下的网格", "", 300, "", None, None],  # row 4: wrong level
        [None] * 8,  # row 5: blank, skipped but still counted
        ["网格", LIANHUACHI, "重复代码网格", "500103003016901", 300, "", None, None],  # row 6
        ["网格", LIANHUACHI, "户数不对", "", "很多", "", None, None],  # row 7
        ["网格", LIANHUACHI, None, "", 300, "", None, None],  # row 8: no name
        ["社区", LIANHUACHI, "层级不对", "", 300, "", None, None],  # row 9
    )
    with pytest.raises(ImportErrors) as err:
        areas_import(actor=users["jiefangbei"], data=data, filename="grids.xlsx")

    rows = {e["row"]: e["message"] for e in err.value.detail}
    assert sorted(rows) == [3, 4, 6, 7, 8, 9]
    assert "500103003999" in rows[3] and "不存在" in rows[3]
    assert "上级须为" in rows[4]
    assert "已被使用" in rows[6]
    assert "户数" in rows[7]
    assert "名称" in rows[8]
    assert "层级" in rows[9]
    assert "未导入任何数据" in err.value.message
    assert Area.objects.count() == before
    assert not Area.objects.filter(code="500103003016901").exists()


@pytest.mark.django_db
def test_rows_outside_the_importers_scope_are_errors(users: dict[str, Any]) -> None:
    data = xlsx(["网格", "500101001001", "万州的网格", "", 300, "", None, None])
    with pytest.raises(ImportErrors) as err:
        areas_import(actor=users["jiefangbei"], data=data, filename="grids.xlsx")
    assert err.value.detail[0]["row"] == 2
    assert not Area.objects.filter(name="万州的网格").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("grids.csv", "层级,上级代码,名称\n".encode(), "只支持 .xlsx 或 .geojson 文件"),
        ("grids.xlsx", b"this is not a spreadsheet", "无法读取该文件"),
        ("grids.xlsx", xlsx(header=["名字", "编号"]), "表头缺少列"),
        ("grids.xlsx", xlsx(), "没有数据行"),
        ("grids.geojson", b"{not json", "不是有效的 GeoJSON"),
    ],
    ids=["csv", "fake-xlsx", "wrong-header", "empty", "bad-json"],
)
def test_unreadable_files_get_a_clear_chinese_error(
    users: dict[str, Any], filename: str, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message):
        areas_import(actor=users["jiefangbei"], data=data, filename=filename)


@pytest.mark.django_db
def test_good_geojson_creates_a_grid_with_its_boundary_and_a_building(
    users: dict[str, Any],
) -> None:
    data = geojson(
        {
            "type": "Feature",
            "properties": {"parent_code": LIANHUACHI, "name": "莲花池西网格", "code": "LHC-W"[:3]},
            "geometry": square(106.5695, 29.5570),
        },
        {
            "type": "Feature",
            "properties": {"parent_code": "LHC", "name": "西 1 栋", "households": 30},
            "geometry": {"type": "Point", "coordinates": [106.5698, 29.5573]},
        },
    )
    result = areas_import(actor=users["jiefangbei"], data=data, filename="grids.geojson")
    assert [a.level for a in result.created] == ["grid", "building"]
    grid = Area.objects.get(code="LHC")
    assert grid.geometry["type"] == "Polygon"
    building = grid.children.get()
    assert (building.lat, building.lng, building.households) == (29.5573, 106.5698, 30)


@pytest.mark.django_db
def test_bad_geojson_features_are_numbered_from_one_and_nothing_is_created(
    users: dict[str, Any],
) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [
                [106.57, 29.55],
                [106.571, 29.551],
                [106.571, 29.55],
                [106.57, 29.551],
                [106.57, 29.55],
            ]
        ],
    }
    data = geojson(
        {
            "type": "Feature",
            "properties": {"parent_code": LIANHUACHI, "name": "好网格"},
            "geometry": square(106.5695, 29.557),
        },
        {
            "type": "Feature",
            "properties": {"parent_code": LIANHUACHI, "name": "自相交网格"},
            "geometry": bowtie,
        },
        {
            "type": "Feature",
            "properties": {"parent_code": LIANHUACHI},
            "geometry": square(106.5705, 29.557),
        },
    )
    before = Area.objects.count()
    with pytest.raises(ImportErrors) as err:
        areas_import(actor=users["jiefangbei"], data=data, filename="grids.geojson")
    assert [e["row"] for e in err.value.detail] == [2, 3]
    assert "自相交" in err.value.detail[0]["message"]
    assert Area.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "feature",
    [
        {"type": "Feature", "properties": ["not", "an", "object"], "geometry": None},
        {
            "type": "Feature",
            "properties": {"parent_code": LIANHUACHI, "name": "x"},
            "geometry": [1, 2],
        },
        {
            "type": "Feature",
            "properties": {"parent_code": "500103003013001", "name": "x", "households": "inf"},
            "geometry": {"type": "Point", "coordinates": [106.57, 29.555]},
        },
    ],
    ids=["properties-list", "geometry-list", "infinite-households"],
)
def test_malformed_features_are_errors_not_crashes(users: dict[str, Any], feature: dict) -> None:
    before = Area.objects.count()
    with pytest.raises(ValidationFailed):
        areas_import(actor=users["jiefangbei"], data=geojson(feature), filename="x.geojson")
    assert Area.objects.count() == before


# The page ------------------------------------------------------------------------------------


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.mark.django_db
def test_import_page_shows_the_errors_table_and_creates_nothing(login: Any) -> None:
    client = login("jiefangbei")
    before = Area.objects.count()
    data = xlsx(GOOD_ROWS[0], ["网格", "500103003999", "未知上级", "", 300, "", None, None])
    response = client.post("/areas/import/", {"file": upload("grids.xlsx", data)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert "<td>3</td>" in html and "上级代码 500103003999 不存在" in html
    assert "未导入任何数据" in html
    assert Area.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("grids.csv", b"a,b,c\n", "只支持 .xlsx 或 .geojson 文件"),
        ("grids.xlsx", b"PK\x03\x04 broken zip", "无法读取该文件"),
        ("grids.xlsx", b"", "空文件"),
    ],
    ids=["csv", "broken-xlsx", "empty-file"],
)
def test_import_page_refuses_unreadable_uploads_in_chinese(
    login: Any, name: str, data: bytes, message: str
) -> None:
    response = login("jiefangbei").post("/areas/import/", {"file": upload(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()


@pytest.mark.django_db
def test_import_page_with_a_good_file_redirects_and_creates(login: Any) -> None:
    response = login("jiefangbei").post(
        "/areas/import/", {"file": upload("grids.xlsx", xlsx(*GOOD_ROWS))}
    )
    assert response.status_code == 302
    assert Area.objects.filter(parent__code="500103003016901").count() == 2


@pytest.mark.django_db
def test_import_page_is_refused_to_a_user_without_import_rights(login: Any) -> None:
    response = login("grid_jfb_01").get("/areas/import/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_template_download_is_a_workbook_with_the_expected_header(login: Any) -> None:
    from openpyxl import load_workbook

    response = login("jiefangbei").get("/areas/import/template.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ws[1]] == HEADER
