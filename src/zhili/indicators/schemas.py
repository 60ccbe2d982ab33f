"""Typed schemas of the indicators API (names unique across the whole API)."""

from __future__ import annotations

from pydantic import Field

from zhili.core.schemas import BoundedIn


class IndicatorsIndicatorOut(BoundedIn):
    code: str
    name: str
    unit_label: str
    components: list[str]
    description: str
    higher_is_better: bool


class IndicatorsValueIn(BoundedIn):
    indicator: str = Field(description="指标代码")
    area: str = Field(description="区域代码")
    year: int
    month: int
    value: float | None = Field(None, description="数值；有构成项时可省略，取构成项之和")
    components: dict[str, int] = Field(default_factory=dict, max_length=50)
    source: str
    note: str = ""


class IndicatorsValueOut(BoundedIn):
    id: int
    indicator: str
    area: str
    year: int
    month: int
    value: float
    components: dict[str, int]
    source: str
    version: int


class IndicatorsRevisionOut(BoundedIn):
    version: int
    value: float
    source: str
    note: str
    actor: str
    at: str


class IndicatorsFigureOut(BoundedIn):
    indicator: str
    name: str
    total: float
    previous: float | None = Field(description="上年同期")
    components: dict[str, int]
    children: dict[str, float] = Field(description="下级区域代码 → 数值")


class IndicatorsFiguresOut(BoundedIn):
    area: str
    year: int
    months: list[int]
    figures: list[IndicatorsFigureOut]


class IndicatorsSurveyRateOut(BoundedIn):
    area: str
    name: str
    year: int
    valid: int
    invalid: int
    planned: int
    rate: float | None = Field(description="安全感率（0–1）")
    low: float | None = Field(description="Wilson 区间下限（有权重时用 Kish 有效样本量）")
    high: float | None
    n_eff: float
    confidence: float
    previous_rate: float | None
    change_points: float | None = Field(description="同比变化（百分点）")


class IndicatorsSurveyOut(BoundedIn):
    total: IndicatorsSurveyRateOut | None
    children: list[IndicatorsSurveyRateOut]
