"""The monthly bulletin (奉节's variant) as xlsx: the same rows as the page."""

from __future__ import annotations

import io

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.visits.figures import Figures, Row, weekly_minimum

HEAD = [
    _("名称"),
    _("计划走访"),
    _("已走访"),
    _("未走访"),
    _("逾期未走访"),
    _("完成率(%)"),
    _("每周联系(周)"),
    _("走访群众"),
    _("收集诉求"),
    _("转为事项"),
    _("已办结"),
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
    for sheet, rows, label, by_cadre in (
        (wb.active, fig.by_cadre, gettext("走访干部"), True),
        (wb.create_sheet(), fig.by_street, gettext("街道"), False),
    ):
        sheet.title = gettext("按%(label)s") % {"label": label}
        sheet.append(
            [
                gettext("%(title)s（%(start)s 至 %(end)s）")
                % {"title": title, "start": f"{fig.start:%Y-%m-%d}", "end": f"{fig.end:%Y-%m-%d}"}
            ]
        )
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        sheet.append([label, *[str(h) for h in HEAD[1:]]])
        for c in sheet[2]:
            c.font = Font(bold=True)
        for r in rows:
            sheet.append(_row(r))
        if by_cadre:
            sheet.append([gettext("合计"), *_row(fig.total)[1:6], "", *_row(fig.total)[7:]])
        sheet.column_dimensions["A"].width = 22
    notes = wb.create_sheet(gettext("说明"))
    notes.append([gettext("完成率 = 已走访 ÷（已走访 + 未走访 + 逾期未走访）")])
    notes.append(
        [
            gettext("每周联系：每周至少走访 %(n)s 次为达标（奉节做法，可配置）")
            % {"n": weekly_minimum()}
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
