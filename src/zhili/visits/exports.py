"""The monthly bulletin (奉节's variant) as xlsx: the same rows as the page."""

from __future__ import annotations

import io

from zhili.visits.figures import Figures, Row, weekly_minimum

HEAD = [
    "名称",
    "计划走访",
    "已走访",
    "未走访",
    "逾期未走访",
    "完成率(%)",
    "每周联系(周)",
    "走访群众",
    "收集诉求",
    "转为事项",
    "已办结",
]


def _row(r: Row) -> list[object]:
    return [
        r.name,
        r.planned,
        r.done,
        r.missed,
        r.overdue,
        "" if r.rate is None else r.rate,
        f"{r.contact_weeks}/{r.weeks}",
        r.residents,
        r.demands,
        r.matters,
        r.solved,
    ]


def bulletin_xlsx(fig: Figures, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    for sheet, rows, label in (
        (wb.active, fig.by_cadre, "走访干部"),
        (wb.create_sheet(), fig.by_street, "街道"),
    ):
        sheet.title = f"按{label}"
        sheet.append([f"{title}（{fig.start:%Y-%m-%d} 至 {fig.end:%Y-%m-%d}）"])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        sheet.append([label, *HEAD[1:]])
        for c in sheet[2]:
            c.font = Font(bold=True)
        for r in rows:
            sheet.append(_row(r))
        if label == "走访干部":
            sheet.append(["合计", *_row(fig.total)[1:6], "", *_row(fig.total)[7:]])
        sheet.column_dimensions["A"].width = 22
    notes = wb.create_sheet("说明")
    notes.append(["完成率 = 已走访 ÷（已走访 + 未走访 + 逾期未走访）"])
    notes.append([f"每周联系：每周至少走访 {weekly_minimum()} 次为达标（奉节做法，可配置）"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
