"""Every figure the metrics show, at every level, as plain tuples (shared by the figure tests).

A figure is (where, row, measure key, numerator, denominator, value): ``where`` names the reader
(report totals, report rows, the API, the xlsx export), ``row`` the row's name ("合计" for the
totals). ``numerator``/``denominator`` are None where the reader shows only the share.
"""

from __future__ import annotations

import io
from typing import Any, NamedTuple

from openpyxl import load_workbook

from zhili.matters import metrics
from zhili.matters.metrics_views import EXPORT_MEASURES, workbook_bytes

TOTAL = "合计"


class Figure(NamedTuple):
    where: str
    row: str
    key: str
    num: int | None
    den: int | None
    value: float | None


def report_figures(r: metrics.Report, where: str = "report") -> list[Figure]:
    out = [
        Figure(where, TOTAL, k, v["numerator"], v["denominator"], v["value"])
        for k, v in r.measures.items()
    ]
    for row in r.rows:
        for k, v in row["measures"].items():
            out.append(Figure(where, row["name"], k, v["numerator"], v["denominator"], v["value"]))
    return out


def api_figures(body: dict[str, Any], where: str = "api") -> list[Figure]:
    out = [
        Figure(where, TOTAL, m["key"], m["numerator"], m["denominator"], m["value"])
        for m in body["totals"]["measures"]
    ]
    for row in body["rows"]:
        for k, value in row["measures"].items():
            out.append(Figure(where, row["name"], k, None, None, value))
    return out


def export_figures(r: metrics.Report, where: str = "export") -> list[Figure]:
    ws = load_workbook(io.BytesIO(workbook_bytes(r)))["诉求统计"]
    header = [c.value for c in ws[3]]
    labels = {metrics.MEASURE_BY_KEY[k].label: k for k in EXPORT_MEASURES}
    out = []
    for values in ws.iter_rows(min_row=4, values_only=True):
        for i, label in enumerate(header):
            if label in labels:
                out.append(Figure(where, values[1], labels[label], None, None, values[i]))
    return out


def problems(figures: list[Figure]) -> list[Figure]:
    """The figures that break 0 ≤ numerator ≤ denominator or show a share outside 0–1 (or one
    that is not numerator ÷ denominator)."""
    bad = []
    for f in figures:
        share_ok = f.value is None or 0 <= f.value <= 1
        counts_ok = f.num is None or f.den is None or _consistent(f.num, f.den, f.value)
        if not (share_ok and counts_ok):
            bad.append(f)
    return bad


def _consistent(num: int, den: int, value: float | None) -> bool:
    if not 0 <= num <= max(den, 0) or (value is None) != (den <= 0):
        return False
    return value is None or abs(value - num / den) < 1e-9


def find(figures: list[Figure], row: str, key: str, where: str | None = None) -> Figure:
    found = [f for f in figures if f.row == row and f.key == key and where in (None, f.where)]
    assert found, f"no figure {key} for {row}"
    return found[0]
