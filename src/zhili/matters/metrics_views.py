"""The metrics page (/matters/metrics/) and its xlsx export: thin over ``metrics.matter_metrics``."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from zhili.core.db_router import report_reads
from zhili.core.errors import ValidationFailed
from zhili.matters import metrics as m

PARAMS = ("area", "from", "to", "days", "by", "rank", "triage", "mode", "topic")
CARD_MEASURES = (
    "close_rate",
    "on_time_close_rate",
    "response_rate",
    "satisfaction_rate",
    "solve_rate",
    "accept_rate",
    "sign_on_time_rate",
    "rework_rate",
    "extension_rate",
    "redispatch_rate",
    "self_handle_rate",
    "duplicate_rate",
    "spot_pass_rate",
)
TABLE_MEASURES = ("close_rate", "on_time_close_rate", "response_rate", "satisfaction_rate")


def _params(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in PARAMS}


def _report(request: HttpRequest, p: dict[str, str]) -> m.Report:
    return m.matter_metrics(
        request.user,
        area=p["area"],
        start=None if p["days"] else p["from"] or None,  # a preset wins over stale dates
        end=None if p["days"] else p["to"] or None,
        days=p["days"] or None,
        by=p["by"] or "area",
        rank_by=p["rank"],
        triage=p["triage"],
        mode=p["mode"],
        topic=p["topic"],
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def hours(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return gettext("%(round)s 分钟") % {"round": round(value * 60)}
    if value < 48:
        return gettext("%(value)s 小时") % {"value": format(value, ".1f")}
    return gettext("%(value)s 天") % {"value": format(value / 24, ".1f")}


def volume(r: m.Report, counts: dict[str, int]) -> int:
    """受理 for areas (and 三事/四事/五事); 派遣 (first and later) for units, whose rows start at
    dispatch."""
    if r.by == "unit" or r.view.unit is not None:
        return counts["dispatched"] + counts["redispatched"]
    return counts["created"]


# A counter's name as a count ("Dispatched", "Closed"), not as the action ("Dispatch", "Close").
COUNTED = {
    "created": gettext_lazy("受理"),
    "dispatched": pgettext_lazy("counter", "派遣"),
    "closed": pgettext_lazy("counter", "结案"),
}


def volume_label(r: m.Report) -> str:
    return str(COUNTED["dispatched" if r.by == "unit" or r.view.unit is not None else "created"])


def scope_label(r: m.Report) -> str:
    if r.view.unit is not None:
        where = r.view.area.name if r.view.area and r.view.area.depth > 0 else gettext("全部区域")
        return f"{r.view.unit.name} · {where}"
    return "、".join(a.name for a in r.view.areas)


def filters_label(r: m.Report) -> str:
    """The 三事/四事/五事 the figures are limited to, in words (" · 三事分流：大事…")."""
    parts = [
        f"{m.DIMENSION_LABELS[key]}：{m.DIMENSIONS[key][2][value]}"
        for key, value in r.filters.items()
        if value
    ]
    return "".join(f" · {p}" for p in parts)


@login_required
@report_reads
def metrics(request: HttpRequest) -> HttpResponse:
    p = _params(request)
    error = ""
    try:
        r = _report(request, p)
    except ValidationFailed as exc:  # a bad period or choice: say so above the default view
        error = exc.message
        p = {**dict.fromkeys(PARAMS, ""), "area": p["area"]}
        r = _report(request, p)
    keep = {k: v for k, v in p.items() if v and k != "area"}
    here = reverse("matters:metrics")

    def link(**changes: str) -> str:
        q = {**keep, **({"area": p["area"]} if p["area"] else {}), **changes}
        return f"{here}?{urlencode({k: v for k, v in q.items() if v})}"

    rank_measure = m.MEASURE_BY_KEY[r.rank_by]
    table_measures = [k for k in TABLE_MEASURES if k != r.rank_by]
    rows = [
        {
            **row,
            "url": link(area=row["drill"], by="area") if row["drill"] else "",
            "rank_value": percent(row["measures"][r.rank_by]["value"]),
            "volume": volume(r, row["counts"]),
            "cells": [percent(row["measures"][k]["value"]) for k in table_measures],
        }
        for row in r.rows
    ]
    cards = [
        {
            "label": m.MEASURE_BY_KEY[k].label,
            "value": percent(r.measures[k]["value"]),
            "detail": f"{r.measures[k]['numerator']} / {r.measures[k]['denominator']}",
            "key": k,
        }
        for k in CARD_MEASURES
    ]
    durations = [
        {
            "label": m.DURATION_LABELS[key],
            "median": hours(d["median"]),
            "p90": hours(d["p90"]),
            "n": d["n"],
        }
        for key, d in r.durations.items()
    ]
    chart = {
        "trend": [{**t, "day": t["day"].isoformat()} for t in r.trend],
        "rows": [
            {
                "name": row["name"],
                "url": row["url"],
                "volume": row["volume"],
                "closed": row["counts"]["closed"],
                "overdue": row["overdue"],
            }
            for row in rows
        ],
        "districts": r.districts,
        "volume_label": volume_label(r),
        "trend_label": str(COUNTED["dispatched" if r.view.unit is not None else "created"]),
        "trend_key": "dispatched" if r.view.unit is not None else "created",
        # The charts' own words, in the page's language.
        "words": {
            "closed": str(COUNTED["closed"]),
            "overdue": gettext("超期未处置"),
            "no_data": gettext("无数据"),
            "unit": gettext(" 件"),
            "many": gettext("多"),
            "few": gettext("少"),
            "high": gettext("高"),
            "low": gettext("低"),
        },
        "geojson": reverse("areas:boundaries_geojson"),
        "by": r.by,
    }
    crumbs = [{"name": a.name, "url": link(area=a.code)} for a in r.view.crumbs]
    context = {
        "r": r,
        "error": error,
        "p": p,
        "scope": scope_label(r),
        "cards": cards,
        "volume": volume(r, r.counts),
        "volume_label": volume_label(r),
        "durations": durations,
        "rows": rows,
        "crumbs": crumbs,
        "chart": chart,
        "rank_measure": rank_measure,
        "measures": m.MEASURES,
        "table_labels": [m.MEASURE_BY_KEY[k].label for k in table_measures],
        "presets": m.PRESET_DAYS,
        "trend_label": str(COUNTED["dispatched" if r.view.unit is not None else "created"]),
        "by_area_url": link(by="area"),
        "by_unit_url": link(by="unit"),
        "row_label": m.DIMENSION_LABELS.get(r.by, ""),
        "by_dimension": [
            (key, m.DIMENSION_LABELS[key], link(by=key), r.by == key) for key in m.DIMENSIONS
        ],
        "dimension_filters": [
            (key, m.DIMENSION_LABELS[key], list(m.DIMENSIONS[key][2].items()), p[key])
            for key in m.DIMENSIONS
        ],
        "export_url": reverse("matters:metrics_export")
        + "?"
        + urlencode({k: v for k, v in p.items() if v}),
    }
    return render(request, "matters/metrics.html", context, status=422 if error else 200)


EXPORT_MEASURES = [mm.key for mm in m.MEASURES]


@login_required
@report_reads
def metrics_export(request: HttpRequest) -> HttpResponse:
    r = _report(request, _params(request))
    body = workbook_bytes(r)
    name = gettext("诉求统计_%(start)s-%(end)s.xlsx") % {
        "start": format(r.period.start, "%Y%m%d"),
        "end": format(r.period.end, "%Y%m%d"),
    }
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def workbook_bytes(r: m.Report) -> bytes:
    """The ranking table (every measure) and the definitions, as an xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "诉求统计"
    ws.append(
        [
            gettext("诉求统计 · %(scope)s%(filters)s · %(start)s 至 %(end)s")
            % {
                "scope": scope_label(r),
                "filters": filters_label(r),
                "start": r.period.start,
                "end": r.period.end,
            }
        ]
    )
    ws["A1"].font = Font(bold=True)
    ws.append(
        [
            gettext(
                "排名指标：%(measure)s（样本少于 %(min_sample)s 的不参与排名）；导出时间 %(at)s"
            )
            % {
                "measure": m.MEASURE_BY_KEY[r.rank_by].label,
                "min_sample": r.min_sample,
                "at": f"{timezone.localtime():%Y-%m-%d %H:%M}",
            }
        ]
    )
    header = [
        gettext("排名"),
        {"unit": gettext("单位"), "area": gettext("区域")}.get(r.by)
        or str(m.DIMENSION_LABELS[r.by]),
        gettext("%(volume_label)s数") % {"volume_label": volume_label(r)},
        gettext("结案数"),
        *(str(m.MEASURE_BY_KEY[k].label) for k in EXPORT_MEASURES),
        gettext("超期未处置数"),
        gettext("排名样本数"),
    ]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    total = {
        "rank": None,
        "ranked": True,
        "name": gettext("合计"),
        "counts": r.counts,
        "measures": r.measures,
        "overdue": r.overdue,
        "sample": r.measures[r.rank_by]["denominator"],
    }
    for row in [*r.rows, total]:
        rank: Any = row["rank"] if row["ranked"] else gettext("样本不足")
        ws.append(
            [
                "" if row is total else rank,
                row["name"],
                volume(r, row["counts"]),
                row["counts"]["closed"],
                *(row["measures"][k]["value"] for k in EXPORT_MEASURES),
                row["overdue"],
                row["sample"],
            ]
        )
        for cell in ws[ws.max_row][4 : 4 + len(EXPORT_MEASURES)]:
            cell.number_format = "0.0%"
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = "C4"
    defs = wb.create_sheet(gettext("指标口径"))
    defs.append([gettext("指标"), gettext("口径")])
    for mm in m.MEASURES:
        defs.append([str(mm.label), str(mm.definition)])
    defs.append(
        [gettext("超期未处置数"), gettext("当前未办结、且已超过当前环节时限的诉求数（实时）")]
    )
    for key, label in m.DURATION_LABELS.items():
        defs.append([str(label), str(m.DURATION_DEFINITIONS[key])])
    defs.column_dimensions["A"].width = 16
    defs.column_dimensions["B"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
