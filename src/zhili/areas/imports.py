"""Bulk import of grids and buildings from xlsx or GeoJSON: every bad row reported, all or nothing."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from zhili.areas.geo import parse_geometry
from zhili.areas.models import Area, Level
from zhili.areas.services import area_create
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed, ZhiliError

COLUMNS = [
    ("level", "层级"),
    ("parent_code", "上级代码"),
    ("name", "名称"),
    ("code", "代码"),
    ("households", "户数"),
    ("address", "地址"),
    ("lat", "纬度"),
    ("lng", "经度"),
]
LEVEL_WORDS = {
    "网格": Level.GRID.value,
    "grid": Level.GRID.value,
    "楼栋": Level.BUILDING.value,
    "小区/楼栋": Level.BUILDING.value,
    "building": Level.BUILDING.value,
}
MAX_ROWS = 20000


@dataclass
class ImportResult:
    created: list[Area] = field(default_factory=list)


class ImportErrors(ValidationFailed):
    code = "import_errors"


def template_xlsx() -> bytes:
    """The import template offered for download: headers, one example row per level."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "网格楼栋"
    ws.append([label for _, label in COLUMNS])
    ws.append(["网格", "500103003001", "解放碑第一网格", "", 420, "", "", ""])
    ws.append(
        [
            "楼栋",
            "500103003001001",
            "民族路 1 号楼",
            "",
            60,
            "民族路 1 号",
            29.5587,
            106.5770,
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _number(value: Any, kind: type, label: str) -> Any:
    if value in (None, ""):
        return None
    try:
        number = kind(float(value)) if kind is int else kind(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationFailed(gettext("%(label)s须为数字") % {"label": label}) from exc
    if kind is int and float(value) != int(number):
        raise ValidationFailed(gettext("%(label)s须为整数") % {"label": label})
    return number


def rows_from_xlsx(data: bytes) -> list[dict[str, Any] | None]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            gettext("无法读取该文件，请上传 .xlsx 格式的表格"), code="invalid_file"
        ) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, [])]
    labels = {label: key for key, label in COLUMNS}
    missing = [label for key, label in COLUMNS[:3] if label not in header]
    if missing:
        raise ValidationFailed(
            gettext("表头缺少列：%(value)s（请使用下载的模板）") % {"value": "、".join(missing)},
            code="invalid_header",
        )
    out: list[dict[str, Any] | None] = []
    for values in rows:
        if values is None or all(v in (None, "") for v in values):
            out.append(None)
            continue
        out.append({labels[h]: v for h, v in zip(header, values, strict=False) if h in labels})
    return out


def rows_from_geojson(data: bytes) -> list[dict[str, Any] | None]:
    out: list[dict[str, Any] | None] = []
    for props, geometry in parse_geometry(data):
        row = {k: props.get(k) for k, _ in COLUMNS if k in props}
        if geometry.get("type") == "Point":
            coords = geometry.get("coordinates") or [None, None]
            row["lng"], row["lat"] = [*coords, None, None][:2]
            row.setdefault("level", "building")
        elif geometry:
            row["geometry"] = geometry
            row.setdefault("level", "grid")
        out.append(row)
    return out


def _create_row(actor: Any, row: dict[str, Any]) -> Area:
    level = LEVEL_WORDS.get(str(row.get("level") or "").strip())
    if level is None:
        raise ValidationFailed(gettext("层级须为“网格”或“楼栋”"))
    parent_code = str(row.get("parent_code") or "").strip()
    if not parent_code:
        raise ValidationFailed(gettext("上级代码不能为空"))
    parent = Area.objects.filter(code=parent_code).first()
    if parent is None:
        raise ValidationFailed(
            gettext("上级代码 %(parent_code)s 不存在") % {"parent_code": parent_code}
        )
    return area_create(
        actor=actor,
        parent=parent,
        level=level,
        name=str(row.get("name") or ""),
        code=str(row.get("code") or "").strip(),
        households=_number(row.get("households"), int, gettext("户数")),
        address=str(row.get("address") or ""),
        lat=_number(row.get("lat"), float, gettext("纬度")),
        lng=_number(row.get("lng"), float, gettext("经度")),
        geometry=row.get("geometry"),
        audit=False,
    )


@transaction.atomic
def areas_import(*, actor: Any, data: bytes, filename: str) -> ImportResult:
    """Create every row, or none: errors carry the row number as the user sees it."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        rows, first_row = rows_from_xlsx(data), 2  # row 1 is the header
    elif name.endswith((".geojson", ".json")):
        rows, first_row = rows_from_geojson(data), 1  # features are counted from 1
    else:
        raise ValidationFailed(gettext("只支持 .xlsx 或 .geojson 文件"), code="invalid_file")
    if len([r for r in rows if r]) == 0:
        raise ValidationFailed(gettext("文件中没有数据行"), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            gettext("一次最多导入 %(MAX_ROWS)s 行") % {"MAX_ROWS": MAX_ROWS}, code="too_many_rows"
        )
    result, errors = ImportResult(), []
    for offset, row in enumerate(rows):
        if row is None:
            continue
        try:
            with transaction.atomic():
                result.created.append(_create_row(actor, row))
        except ZhiliError as exc:
            errors.append(
                {
                    "row": first_row + offset,
                    "name": str(row.get("name") or ""),
                    "code": str(row.get("code") or ""),
                    "message": exc.message,
                }
            )
    if errors:
        raise ImportErrors(
            gettext("%(len)s 行有错误，未导入任何数据") % {"len": len(errors)}, detail=errors
        )
    audit_record(
        actor=actor,
        action="area.import",
        object_type="areas.area",
        object_id=filename[:64],
        object_repr=f"{filename}：导入 {len(result.created)} 个网格/楼栋",
        area_path=_common_path([a.path for a in result.created]),
    )
    return result


def _common_path(paths: list[str]) -> str:
    parts = [p.split("/") for p in paths]
    common: list[str] = []
    for items in zip(*parts, strict=False):
        if len(set(items)) != 1:
            break
        common.append(items[0])
    return "/".join(c for c in common if c) + "/"
