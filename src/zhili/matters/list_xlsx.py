"""The work queue, as filtered on the page, as an xlsx file: the facts of each matter, no personal
data (the reporter's name and phone stay behind the audited reveal)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from zhili.matters.models import Matter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 10_000  # the most a request builds; the business parameter may lower it
BACKGROUND_LIMIT = 500_000  # more than this: narrow the filters, or page through the API
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


def export_now_limit() -> int:
    """Above this many rows the queue's export is built in the background (core.exports): the
    business parameter ``matters.export_now_limit`` (业务参数), never above ``EXPORT_LIMIT``."""
    from zhili.core import tunables

    return max(1, min(EXPORT_LIMIT, int(tunables.value("matters.export_now_limit"))))


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _row(m: Matter) -> list[Any]:
    return [
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


def queue_workbook(
    matters: Iterable[Matter],
    *,
    title: str,
    progress: Callable[[int], None] | None = None,
    every: int = 1000,
) -> bytes:
    """The workbook, written row by row (write-only: memory stays flat for large exports);
    ``progress(n)`` is told every ``every`` rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("诉求清单")
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3"
    ws.append([_bold(ws, title)])
    ws.append([_bold(ws, str(name)) for name, _ in COLUMNS])
    n = 0
    for m in matters:
        ws.append(_row(m))
        n += 1
        if progress is not None and n % every == 0:
            progress(n)
    if progress is not None:
        progress(n)
    ws.append([])
    ws.append([gettext("合计 %(n)s 件") % {"n": n}])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _bold(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    cell.font = Font(bold=True)
    return cell


def in_chunks(qs: Any, size: int = 2000) -> Iterator[Matter]:
    """The queue newest first, read in keyset chunks (no OFFSET, no cursor held open)."""
    last = None
    while True:
        page = qs.order_by("-id")
        if last is not None:
            page = page.filter(id__lt=last)
        rows = list(page[:size])
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].id


def export_title(label: Any) -> str:
    return gettext("诉求清单（%(label)s）· 导出于 %(localtime)s") % {
        "label": label,
        "localtime": format(timezone.localtime(), "%Y-%m-%d %H:%M"),
    }


def build_queue_export(job: Any, progress: Callable[[int], None]) -> tuple[bytes, str]:
    """The background export's builder (core.exports): the page's filters, rebuilt for the
    requester, read as the requester sees them."""
    from django.http import QueryDict

    from zhili.matters import selectors
    from zhili.matters.forms import QueueFilterForm

    user = job.requested_by
    form = QueueFilterForm(QueryDict(job.params) or None, user=user)
    if form.is_bound and not form.is_valid():
        raise ValueError("筛选条件有误")
    filters = form.filters()
    qs = selectors.matter_list(user, filters).select_related("category", "area", "lead_unit")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    data = queue_workbook(in_chunks(qs), title=job.title, progress=progress)
    return data, f"matters-{stamp}.xlsx"
