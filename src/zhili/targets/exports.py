"""The 打表 table as xlsx: the same symbols and the same colours as on screen, laid out for A3."""

from __future__ import annotations

import io

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.targets.models import Method
from zhili.targets.selectors import Table
from zhili.targets.states import PALETTE, SYMBOL, CellState

BY_LABEL = {"unit": _("按责任单位"), "district": _("按区县"), "period": _("按月份")}


def table_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = gettext("打表推进")
    thin = Side(style="thin", color="C8CED6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    fills = {s: PatternFill("solid", fgColor=PALETTE[s][0]) for s in CellState}
    fonts = {s: Font(color=PALETTE[s][1], bold=True) for s in CellState}
    centre = Alignment(horizontal="center", vertical="center")
    fixed = [gettext("编号"), gettext("治理方式"), gettext("任务名称"), gettext("分值")]
    ncols = len(fixed) + len(table.columns) + 1

    ws.append(
        [
            gettext("%(title)s · 打表推进（%(by)s） · 统计日 %(on)s")
            % {"title": table.plan.title, "by": BY_LABEL[table.by], "on": f"{table.on:%Y-%m-%d}"}
        ]
    )
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(ncols, 4))
    ws.append([*fixed, *(str(c.label) for c in table.columns), gettext("完成")])
    for i in range(1, ncols + 1):
        cell = ws.cell(row=2, column=i)
        cell.font = Font(bold=True)
        cell.border = border
        rotated = len(fixed) < i <= len(fixed) + len(table.columns) and table.by != "period"
        cell.alignment = Alignment(
            horizontal="center",
            vertical="bottom",
            wrap_text=True,
            text_rotation=255 if rotated else 0,
        )
    ws.row_dimensions[2].height = 120 if table.by != "period" else 24
    methods = dict(Method.choices)
    for row in table.rows:
        values = [
            row.task.number,
            str(methods.get(row.task.method, "")),
            row.task.title,
            float(row.task.weight),
        ]
        values += [str(SYMBOL[c.state]) if c else "" for c in row.cells]
        values.append(f"{row.done}/{row.total}")
        ws.append(values)
        r = ws.max_row
        for i in range(1, ncols + 1):
            ws.cell(row=r, column=i).border = border
        for j, c in enumerate(row.cells, start=len(fixed) + 1):
            if c is None:
                continue
            cell = ws.cell(row=r, column=j)
            cell.fill, cell.font, cell.alignment = fills[c.state], fonts[c.state], centre
    ws.append([])
    ws.append([gettext("图例")])
    for state in CellState:
        ws.append([str(SYMBOL[state]), str(state.label)])
        cell = ws.cell(row=ws.max_row, column=1)
        cell.fill, cell.font, cell.alignment = fills[state], fonts[state], centre
    widths = [7, 7, 40, 6] + [4 if table.by != "period" else 6] * len(table.columns) + [8]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "E3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
