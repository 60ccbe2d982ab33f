"""The weekly report as an xlsx workbook (openpyxl), from the cockpit's snapshot."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext


def fmt(f: dict[str, Any], value: Any) -> Any:
    if value is None:
        return "—"
    if f["kind"] == "rate":
        return round(value * 100, 2)
    return value


def unit_of(f: dict[str, Any]) -> str:
    return "%" if f["kind"] == "rate" else f.get("unit", "")


def weekly_xlsx(data: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = gettext("汇总")
    area, period = data["area"], data["period"]
    ws.append(
        [
            gettext("驾驶舱周报 · %(name)s") % {"name": area["name"]},
            gettext("%(from)s 至 %(to)s") % {"from": period["from"], "to": period["to"]},
        ]
    )
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append([gettext("板块"), gettext("指标"), gettext("数值"), gettext("单位"), gettext("口径")])
    for s in data["sections"]:
        for f in s["figures"]:
            ws.append([s["title"], f["label"], fmt(f, f["value"]), unit_of(f), f.get("note", "")])
    children = data.get("children") or []
    if children:
        sheet = wb.create_sheet(gettext("下级区域"))
        figures = [(s["title"], f) for s in data["sections"] for f in s["figures"] if f["children"]]
        sheet.append([gettext("区域"), *[f"{t}·{f['label']}（{unit_of(f)}）" for t, f in figures]])
        for c in children:
            sheet.append([c["name"], *[fmt(f, f["children"].get(c["code"])) for _, f in figures]])
    trends = [(s["title"], t) for s in data["sections"] for t in s["trends"]]
    if trends:
        sheet = wb.create_sheet(gettext("趋势"))
        for title, t in trends:
            sheet.append([f"{title}·{t['label']}"])
            for x, y in t["points"]:
                sheet.append([x, y])
            sheet.append([])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def weekly_pdf(report: Any, data: dict[str, Any]) -> bytes:
    """The weekly report as an A4 PDF (WeasyPrint: the print page's template, fonts from the
    machine's fontconfig — Noto Sans CJK from the Debian package fonts-noto-cjk; no network)."""
    import weasyprint
    from django.template.loader import render_to_string

    from zhili.cockpit import presenters

    html = render_to_string(
        "cockpit/report_pdf.html",
        {"report": report, "cards": presenters.cards(data), "table": presenters.table(data)},
    )
    return bytes(weasyprint.HTML(string=html).write_pdf())
