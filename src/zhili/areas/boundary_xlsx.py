"""Boundaries as an xlsx table (docs/areas.md "Boundaries as xlsx"): one row per area — 代码, 名称,
边界 — the boundary as WKT (``POLYGON ((lng lat, …))``) or as a GeoJSON geometry, WGS-84
longitude/latitude. Read here into the same items ``geo.boundaries_upload`` checks for a GeoJSON
file; errors carry the sheet's own row numbers."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry import mapping

from zhili.core.errors import ValidationFailed

COLUMNS = [("code", "代码"), ("name", "名称"), ("geometry", "边界")]
MAX_ROWS = 5000
XLSX_MAGIC = b"PK\x03\x04"
EXAMPLE_WKT = (
    "POLYGON ((106.570 29.550, 106.585 29.550, 106.585 29.562, 106.570 29.562, 106.570 29.550))"
)


@dataclass
class Item:
    """One boundary to load: where it came from (the row or feature number), what it names."""

    row: int
    code: str
    name: str = ""
    geometry: dict[str, Any] | None = None
    error: str = ""


def is_xlsx(data: bytes) -> bool:
    return data[:4] == XLSX_MAGIC


def geometry_of(text: Any) -> dict[str, Any]:
    """A cell's boundary: a GeoJSON geometry (or Feature) or WKT, as a GeoJSON geometry."""
    if isinstance(text, dict):
        return text
    text = str(text or "").strip()
    if not text:
        raise ValidationFailed(_("边界为空"), code="invalid_geometry")
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise ValidationFailed(_("边界不是有效的 GeoJSON"), code="invalid_geometry") from exc
        if isinstance(doc, dict) and doc.get("type") == "Feature":
            doc = doc.get("geometry")
        if not isinstance(doc, dict):
            raise ValidationFailed(_("边界不是有效的 GeoJSON 几何对象"), code="invalid_geometry")
        return doc
    try:
        return dict(mapping(wkt.loads(text)))
    except (ShapelyError, ValueError, TypeError, AttributeError) as exc:
        raise ValidationFailed(
            _(
                "边界既不是 WKT（如 POLYGON ((经度 纬度, …))）也不是 GeoJSON；"
                "单元格最多 32767 个字符，更长的边界请上传 GeoJSON 文件"
            ),
            code="invalid_geometry",
        ) from exc


def items_from_xlsx(data: bytes) -> list[Item]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            "无法读取该文件，请上传 .xlsx 格式的表格", code="invalid_file"
        ) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, None) or []]
    missing = [label for _, label in COLUMNS if label not in header]
    if missing:
        raise ValidationFailed(
            _("表头缺少列：%(c)s（请使用下载的模板）") % {"c": "、".join(missing)},
            code="invalid_header",
        )
    at = {key: header.index(label) for key, label in COLUMNS}
    items: list[Item] = []
    for number, values in enumerate(rows, start=2):  # row 1 is the header
        if values is None or all(v in (None, "") for v in values):
            continue
        if len(items) >= MAX_ROWS:
            raise ValidationFailed(
                _("一次最多上传 %(n)s 行") % {"n": MAX_ROWS}, code="too_many_rows"
            )

        def cell(key: str, values: Any = values) -> Any:
            i = at[key]
            return values[i] if i < len(values) else None

        item = Item(row=number, code=str(cell("code") or "").strip().removesuffix(".0"))
        item.name = str(cell("name") or "").strip()
        try:
            item.geometry = geometry_of(cell("geometry"))
        except ValidationFailed as exc:
            item.error = exc.message
        items.append(item)
    return items


def template_xlsx() -> bytes:
    """The template offered for download: the three columns and one example row."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "边界"
    ws.append([label for _, label in COLUMNS])
    ws.append(["500103003", "解放碑街道", EXAMPLE_WKT])
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
