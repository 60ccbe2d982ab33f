"""Fixtures of the targets tests: plan workbooks built with openpyxl, imported by the office."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest

TASK_HEAD = [
    "编号",
    "治理方式",
    "任务名称",
    "工作要求",
    "分值",
    "牵头单位",
    "配合单位",
    "适用区县",
    "完成时限",
]
MS_HEAD = ["任务编号", "节点", "节点要求", "佐证材料"]
NEG_HEAD = ["编号", "名称", "触发情形", "处理方式", "扣分"]

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def workbook(
    tasks: list[list[Any]],
    milestones: list[list[Any]] = (),  # type: ignore[assignment]
    negatives: list[list[Any]] = (),  # type: ignore[assignment]
    *,
    heads: tuple[list[str], list[str], list[str]] = (TASK_HEAD, MS_HEAD, NEG_HEAD),
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    sheets = [
        ("目标任务", heads[0], tasks),
        ("工作节点", heads[1], milestones),
        ("负面清单", heads[2], negatives),
    ]
    for i, (title, head, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title
        ws.append(head)
        for row in rows:
            ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def office(users: dict[str, Any]) -> Any:
    return users["office_zfw"]


@pytest.fixture
def small_plan(office: Any) -> Callable[..., Any]:
    """A plan of three tasks: 市公安局 leads task 1 (co: 市住房城乡建委; districts 渝中、万州),
    市住房城乡建委 leads task 2 (渝中), 市公安局 leads task 3 alone. Milestones at ``dues``."""
    from zhili.targets.services import plan_import

    def make(
        year: int = 2030, dues: tuple[str, ...] = ("2030-03-31", "2030-06-30"), **kw: Any
    ) -> Any:
        tasks = [
            [
                "1",
                "综治",
                "健全社会治安防控体系",
                "八类案件下降",
                3,
                "市公安局",
                "市住房城乡建委",
                "渝中区、万州区",
                f"{year}-12-31",
            ],
            [
                "2",
                "自治",
                "推行五方联席会",
                "无物业小区全覆盖",
                1,
                "市住房城乡建委",
                "",
                "渝中区",
                f"{year}-12-31",
            ],
            ["3", "智治", "雪亮工程联网", "", 2, "市公安局", "", "", f"{year}-12-31"],
        ]
        ms = [[n, d, f"节点 {d}", "工作台账"] for n in ("1", "2", "3") for d in dues]
        negs = [
            ["F1", "重大群体性事件", "50 人以上聚集", "一票否决", ""],
            ["F2", "重大安全生产事故", "死亡 3 人以上", "扣分", 5],
        ]
        return plan_import(
            actor=office,
            year=year,
            title=kw.get("title", f"{year} 测试方案"),
            data=workbook(tasks, ms, negs),
            filename="t.xlsx",
        )

    return make


@pytest.fixture
def day() -> Callable[[str], dt.date]:
    return dt.date.fromisoformat
