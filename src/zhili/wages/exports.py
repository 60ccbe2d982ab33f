"""xlsx exports of the queue, the projects and the dashboard (what the page shows, in words)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext, pgettext
from openpyxl import Workbook


def _book(title: str, head: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(list(head))
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def warnings_xlsx(qs: Any) -> bytes:
    return _book(
        gettext("欠薪预警"),
        [
            gettext("编号"),
            pgettext("wages", "项目"),
            gettext("区域"),
            gettext("规则"),
            gettext("等级"),
            gettext("所属月份"),
            pgettext("wages", "依据"),
            gettext("状态"),
            gettext("处置人"),
            gettext("预警时间"),
        ],
        (
            [
                w.pk,
                w.project.name,
                w.project.area.name,
                w.get_rule_display(),
                w.get_severity_display(),
                f"{w.period:%Y-%m}",
                w.evidence.get("summary", ""),
                w.get_status_display(),
                getattr(w.assignee, "display_name", "") or "",
                w.raised_at.strftime("%Y-%m-%d"),
            ]
            for w in qs.order_by("-id").iterator(chunk_size=2000)
        ),
    )


def projects_xlsx(qs: Any) -> bytes:
    return _book(
        gettext("在建项目"),
        [
            gettext("项目编号"),
            gettext("项目名称"),
            gettext("区域"),
            gettext("施工总承包单位"),
            gettext("合同价款（元）"),
            gettext("人工费占比（%）"),
            gettext("开工日期"),
            gettext("状态"),
        ],
        (
            [
                p.number,
                p.name,
                p.area.name,
                p.contractor.name,
                float(p.contract_value),
                float(p.labour_share),
                p.start_on,
                p.get_status_display(),
            ]
            for p in qs.order_by("-id").iterator(chunk_size=2000)
        ),
    )


def dashboard_xlsx(rows: Iterable[Any]) -> bytes:
    return _book(
        gettext("欠薪看板"),
        [
            gettext("区县"),
            gettext("在建项目"),
            gettext("红色预警（未办结）"),
            gettext("黄色预警（未办结）"),
            gettext("已办结"),
            gettext("预警总数"),
            gettext("办结率（%）"),
        ],
        ([r.name, r.projects, r.red, r.yellow, r.closed, r.total, r.closed_rate] for r in rows),
    )
