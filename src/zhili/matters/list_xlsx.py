"""The work queue, as filtered on the page, as an xlsx file: the facts of each matter, no personal
data (the reporter's name and phone stay behind the audited reveal)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from zhili.matters.models import Matter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 10_000  # more than this: narrow the filters, or page through the API
COLUMNS = [
    ("编号", 18),
    ("标题", 40),
    ("诉求类别", 16),
    ("来源渠道", 12),
    ("所在区域", 24),
    ("状态", 10),
    ("主办单位", 24),
    ("受理时间", 18),
    ("当前时限", 18),
    ("已超期", 8),
    ("结案时间", 18),
]


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def queue_workbook(matters: Iterable[Matter], *, title: str) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "诉求清单"
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append([name for name, _ in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    n = 0
    for m in matters:
        ws.append(
            [
                m.number,
                m.title,
                m.category.name,
                m.get_channel_display(),
                m.area.name,
                m.get_status_display(),
                m.lead_unit.name if m.lead_unit is not None else "",
                _local(m.created_at),
                _local(m.due_at),
                "是" if m.overdue else "否",
                _local(m.closed_at),
            ]
        )
        n += 1
    ws.append([])
    ws.append([f"合计 {n} 件"])
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
