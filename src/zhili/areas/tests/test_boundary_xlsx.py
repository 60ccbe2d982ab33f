"""Boundaries uploaded as xlsx (one row per area: 代码, 名称, 边界 as WKT or GeoJSON): row-numbered
errors, all or nothing, through the same path as GeoJSON (docs/areas.md)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from zhili.areas.geo import area_locate, boundaries_upload
from zhili.areas.models import Boundary
from zhili.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def wkt_square(lat: float, lng: float, size: float = 0.01) -> str:
    return (
        f"POLYGON (({lng} {lat}, {lng + size} {lat}, {lng + size} {lat + size}, "
        f"{lng} {lat + size}, {lng} {lat}))"
    )


def geojson_square(lat: float, lng: float, size: float = 0.01) -> str:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def sheet(*rows: tuple[Any, ...], header: tuple[str, ...] = ("代码", "名称", "边界")) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def active() -> list[tuple[int, int]]:
    return list(Boundary.objects.filter(active=True).order_by("id").values_list("id", "area_id"))


def other_community() -> Any:
    """Another community of 解放碑街道 than 民生路社区."""
    from zhili.areas.models import Area

    return (
        Area.objects.current()
        .filter(parent__code="500103003", level="community")
        .exclude(code="500103003013")
        .order_by("code")
        .first()
    )


def test_an_xlsx_of_wkt_and_geojson_rows_replaces_the_boundaries(users: Any) -> None:
    # Two communities of 解放碑街道, far from the demo polygons: a point inside each lands there.
    second = other_community()
    data = sheet(
        ("500103003013", "民生路社区", wkt_square(29.70, 106.70)),
        (second.code, "", geojson_square(29.72, 106.70)),  # 名称 may stay empty
    )
    created = boundaries_upload(
        actor=users["city_admin"], data=data, source="区规划局", approval_no="渝S(2026)001号"
    )
    assert sorted(b.area.code for b in created) == sorted(["500103003013", second.code])
    assert all(b.approval_no == "渝S(2026)001号" for b in created)
    assert area_locate(lat=29.705, lng=106.705).code.startswith("500103003013")
    assert area_locate(lat=29.725, lng=106.705).code.startswith(second.code)


def test_every_bad_row_is_reported_by_its_row_number_and_nothing_changes(users: Any) -> None:
    before = active()
    second = other_community()
    data = sheet(
        ("500103003013", "民生路社区", wkt_square(29.70, 106.70)),  # row 2: fine on its own
        ("599999999", "不存在", wkt_square(29.70, 106.70)),  # row 3: unknown code
        (),  # row 4: empty, skipped
        (second.code, "民生路社区", wkt_square(29.72, 106.70)),  # row 5: wrong name
        ("500103003013", "民生路社区", "POLYGON ((1 2, 3"),  # row 6: broken WKT
        ("500103003013", "民生路社区", "LINESTRING (106.7 29.7, 106.8 29.8)"),  # row 7
    )
    with pytest.raises(ValidationFailed) as err:
        boundaries_upload(actor=users["city_admin"], data=data, source="x")
    rows = {e["row"]: e["message"] for e in err.value.detail}
    assert sorted(rows) == [3, 5, 6, 7]
    assert "不存在" in rows[3]
    assert f"与代码 {second.code} 的区域（{second.name}）不符" in rows[5]
    assert "既不是 WKT" in rows[6]
    assert "Polygon" in rows[7]
    assert active() == before


def test_a_sheet_without_the_columns_is_refused(users: Any) -> None:
    with pytest.raises(ValidationFailed, match="表头缺少列：边界"):
        boundaries_upload(
            actor=users["city_admin"],
            data=sheet(("500103003013", "x"), header=("代码", "名称")),
            source="x",
        )


def test_the_page_takes_xlsx_and_offers_the_template(login: Any) -> None:
    client = login("city_admin")
    page = client.get("/areas/boundaries/").content.decode()
    assert 'accept=".geojson,.json,.xlsx"' in page and "/areas/boundaries/template.xlsx" in page
    template = client.get("/areas/boundaries/template.xlsx")
    ws = load_workbook(io.BytesIO(template.content)).active
    assert [c.value for c in ws[1]] == ["代码", "名称", "边界"]
    before = active()
    bad = SimpleUploadedFile("b.xlsx", sheet(("599999999", "", wkt_square(29.7, 106.7))))
    html = client.post(
        "/areas/boundaries/", {"file": bad, "source": "测试", "approval_no": ""}
    ).content.decode()
    assert 'id="import-errors"' in html and "<td>2</td>" in html and "未做任何修改" in html
    assert active() == before
    good = SimpleUploadedFile(
        "b.xlsx", sheet(("500103003013", "民生路社区", wkt_square(29.70, 106.70)))
    )
    done = client.post("/areas/boundaries/", {"file": good, "source": "测试", "approval_no": "x"})
    assert done.status_code == 302
