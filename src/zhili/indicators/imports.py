"""Reading the indicator-values and survey-response workbooks: every row checked, every bad row
reported with its number; the services write nothing unless the whole file read cleanly."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed

VALUE_HEAD = ["指标代码", "区域代码", "年份", "月份", "数值", "来源"]
RESPONSE_HEAD = ["样本编号", "回答", "权重"]
MAX_ROWS = 50_000


def _sheet_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    if len(data) > getattr(settings, "ZHILI_MAX_IMPORT_BYTES", 10 * 1024 * 1024):
        raise ValidationFailed(gettext("文件过大"), code="file_too_large")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            gettext("无法读取该文件，请上传 .xlsx 格式的文件"), code="invalid_file"
        ) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    head = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    out = []
    for n, row in enumerate(rows, start=2):
        values = list(row)
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((n, values))
        if len(out) > MAX_ROWS:
            raise ValidationFailed(
                gettext("一次最多导入 %(max)s 行") % {"max": MAX_ROWS}, code="too_many_rows"
            )
    return head, out


def text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def number(v: Any, label: str, problems: list[str], *, whole: bool = False) -> Decimal | None:
    s = text(v)
    if not s:
        problems.append(gettext("%(label)s为空") % {"label": label})
        return None
    try:
        d = Decimal(s)
    except InvalidOperation:
        problems.append(gettext("%(label)s“%(s)s”不是数字") % {"label": label, "s": s})
        return None
    if not d.is_finite() or d < 0:
        problems.append(gettext("%(label)s须为非负数") % {"label": label})
        return None
    if whole and d != d.to_integral_value():
        problems.append(gettext("%(label)s须为整数") % {"label": label})
        return None
    return d


@dataclass
class ValueRow:
    row: int
    indicator: str
    area: str
    year: int
    month: int
    value: Decimal | None
    components: dict[str, int] = field(default_factory=dict)
    source: str = ""


def read_values(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """(header, [(row number, {column: cell})]); the required columns must be present."""
    head, rows = _sheet_rows(data)
    missing = [h for h in VALUE_HEAD[:5] if h not in head]
    if missing:
        raise ValidationFailed(
            gettext("缺少列：%(columns)s") % {"columns": "、".join(missing)}, code="invalid_header"
        )
    return head, [
        (n, {h: row[i] if i < len(row) else None for i, h in enumerate(head)}) for n, row in rows
    ]


def read_responses(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    head, rows = _sheet_rows(data)
    missing = [h for h in RESPONSE_HEAD[:2] if h not in head]
    if missing:
        raise ValidationFailed(
            gettext("缺少列：%(columns)s") % {"columns": "、".join(missing)}, code="invalid_header"
        )
    return [
        (n, {h: row[i] if i < len(row) else None for i, h in enumerate(head)}) for n, row in rows
    ]


def workbook(head: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(head)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
