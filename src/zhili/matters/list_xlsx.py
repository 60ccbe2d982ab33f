"""The work queue, as filtered on the page, as an xlsx file: the facts of each matter, no personal
data (the reporter's name and phone stay behind the audited reveal)."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from zhili.matters.models import Matter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 10_000  # more than this: narrow the filters, or page through the API
COLUMNS = [
    (gettext_lazy("编号"), 18),
    (gettext_lazy("标题"), 40),
    (gettext_lazy("诉求类别"), 16),
    (gettext_lazy("来源渠道"), 12),
    (gettext_lazy("所在区域"), 24),
    (gettext_lazy("状态"), 10),
    (gettext_lazy("主办单位"), 24),
    (gettext_lazy("受理时间"), 18),
    (gettext_lazy("当前时限"), 18),
    (gettext_lazy("已超期"), 8),
    (gettext_lazy("结案时间"), 18),
]


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def queue_workbook(matters: Iterable[Matter], *, title: str) -> bytes:
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = gettext("诉求清单")
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append([str(name) for name, _ in COLUMNS])
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
                gettext("是") if m.overdue else gettext("否"),
                _local(m.closed_at),
            ]
        )
        n += 1
    ws.append([])
    ws.append([gettext("合计 %(n)s 件") % {"n": n}])
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
