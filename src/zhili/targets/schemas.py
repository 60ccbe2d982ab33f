"""Input and output schemas of the targets API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from zhili.core.schemas import IsoDate, TypedIn
from zhili.targets.states import SYMBOL, CellState


class PlanOut(Schema):
    id: int
    year: int
    title: str
    status: str
    as_of: dt.date | None
    clock: dt.date
    risk_days: int
    share_completion: Decimal
    share_timeliness: Decimal
    share_quality: Decimal
    return_penalty: Decimal
    veto_score: Decimal

    @staticmethod
    def of(plan: Any) -> dict[str, Any]:
        return {
            "id": plan.pk,
            "year": plan.year,
            "title": plan.title,
            "status": plan.status,
            "as_of": plan.as_of,
            "clock": plan.clock(),
            "risk_days": plan.risk_days,
            "share_completion": plan.share_completion,
            "share_timeliness": plan.share_timeliness,
            "share_quality": plan.share_quality,
            "return_penalty": plan.return_penalty,
            "veto_score": plan.veto_score,
        }


class PlanPage(Schema):
    items: list[PlanOut]
    next: str | None


class TableFiltersIn(Schema):
    by: Literal["unit", "district", "period", ""] = Field(
        "", description="列：unit、district 或 period；留空按本人承担的任务（单位或区县、街道）"
    )
    method: str = ""
    unit: int | None = None
    district: str = ""
    state: str = ""
    on: IsoDate | None = Field(None, description="查看某一天的状态（默认为方案的统计基准日或今天）")


class ColumnOut(Schema):
    key: str
    label: str
    sub: bool
    done: int
    total: int
    overdue: int


class CellOut(Schema):
    state: str
    symbol: str
    done: int
    total: int
    awaiting: int
    assignment: int | None
    period: str | None


class TaskRef(Schema):
    id: int
    number: str
    title: str
    method: str
    weight: Decimal


class TargetRowOut(Schema):
    task: TaskRef
    state: str | None
    done: int
    total: int
    cells: list[CellOut | None]


class TableOut(Schema):
    plan: int
    by: str
    on: dt.date
    columns: list[ColumnOut]
    rows: list[TargetRowOut]
    counts: dict[str, int]

    @staticmethod
    def of(table: Any) -> dict[str, Any]:
        def key(k: Any) -> str:
            return f"{k[0]}{k[1]}" if isinstance(k, tuple) else str(k)

        def cell(c: Any) -> dict[str, Any] | None:
            if c is None:
                return None
            parts = c.link.strip("/").split("/")
            return {
                "state": c.state.value,
                "symbol": str(SYMBOL[CellState(c.state)]),
                "done": c.done,
                "total": c.total,
                "awaiting": c.awaiting,
                "assignment": int(parts[1]) if parts[0] == "c" else None,
                "period": parts[2] if parts[0] == "p" else None,
            }

        return {
            "plan": table.plan.pk,
            "by": table.by,
            "on": table.on,
            "columns": [
                {
                    "key": key(c.key),
                    "label": c.label,
                    "sub": c.sub,
                    "done": c.done,
                    "total": c.total,
                    "overdue": c.overdue,
                }
                for c in table.columns
            ],
            "rows": [
                {
                    "task": {
                        "id": r.task.pk,
                        "number": r.task.number,
                        "title": r.task.title,
                        "method": r.task.method,
                        "weight": r.task.weight,
                    },
                    "state": r.state.value if r.state else None,
                    "done": r.done,
                    "total": r.total,
                    "cells": [cell(c) for c in r.cells],
                }
                for r in table.rows
            ],
            "counts": table.counts,
        }


class RankOut(Schema):
    rank: int
    score_id: int
    name: str
    unit_id: int | None
    area_code: str
    base: Decimal
    deductions: Decimal
    vetoed: bool
    total: Decimal
    grade: str
    counted: int
    explanation: list[dict[str, Any]]


class RankingOut(Schema):
    plan: int
    by: str
    items: list[RankOut]


class EvidenceOut(Schema):
    sha256: str
    name: str
    content_type: str
    size: int
    url: str


class TargetEventOut(Schema):
    id: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    to_label: str
    summary: str = Field(description="该记录的详情（中文），如佐证材料份数、业务日期")
    actor: str = Field(description="操作人账号")
    actor_display: str = Field(description="操作人姓名")
    at: dt.datetime
    on: dt.date = Field(description="业务日期")
    note: str = Field(description="报送的进展情况，或审核意见")
    evidence: list[EvidenceOut]


class ReportOut(Schema):
    id: int
    plan: int
    task_number: str
    task_title: str
    milestone: str
    due: dt.date
    assignee: str
    assignment: int
    status: str
    status_label: str
    version: int
    returns: int
    text: str
    actions: list[str] = Field(description="当前用户现在可做的操作：submit、accept、return")
    events: list[TargetEventOut]


class ReviewIn(TypedIn):
    decision: Literal["accept", "return"]
    comment: str = Field(default="", max_length=4000)
    version: int | None = None


class LateOut(Schema):
    report: int
    assignment: int
    task_number: str
    task_title: str
    milestone: str
    due: dt.date
    assignee: str
    state: str
    days: int
    status: str
    reminders: int


class LateList(Schema):
    items: list[LateOut]
