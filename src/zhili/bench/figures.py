"""What a benchmark reports: each figure beside the limit it is measured against in the same run.

A ``Figure`` holds the measured value, the limit (the same work done the simplest way, e.g. by
hand-written SQL) and the target from docs/performance.md; the ratio between figure and limit is
what compares across machines. ``Timer`` collects durations and gives p50/p95/p99.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    """One line of the results table.

    ``better`` says which direction is good ("lower" for times and memory, "higher" for rates).
    ``target`` is the goal from the issue (None where there is none); ``met`` is None without one.
    ``ratio`` is value ÷ limit (how many times the limit's time/rate the figure is).
    """

    measure: str  # "intake", "list", "dashboard", "sweep", "memory"
    name: str  # e.g. "street user, first page, p95"
    value: float
    unit: str  # "ms", "req/s", "s", "MB"
    better: str = "lower"
    limit: float | None = None
    limit_name: str = ""
    target: float | None = None
    target_text: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.limit in (None, 0) or self.limit is None:
            return None
        return self.value / self.limit

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.better == "lower" else self.value >= self.target

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = None if self.ratio is None else round(self.ratio, 3)
        out["met"] = self.met
        return out


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of ``values`` (pct in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class Timer:
    """Durations in milliseconds: ``with t.time(): ...`` or ``t.add(ms)``."""

    def __init__(self) -> None:
        self.ms: list[float] = []

    @contextmanager
    def time(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms.append((time.perf_counter() - start) * 1000)

    def add(self, ms: float) -> None:
        self.ms.append(ms)

    def p(self, pct: float) -> float:
        return percentile(self.ms, pct)

    def __len__(self) -> int:
        return len(self.ms)


def repeat(fn: Callable[[], Any], *, n: int, warmup: int = 3) -> Timer:
    """Run ``fn`` ``warmup`` times untimed, then ``n`` times timed."""
    for _ in range(warmup):
        fn()
    t = Timer()
    for _ in range(n):
        with t.time():
            fn()
    return t


def _fmt(v: float | None) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def table(figures: list[Figure]) -> str:
    """The results as a Markdown table (printed, and pasted into docs/performance.md)."""
    head = "| measure | figure | value | limit (same run) | ratio | target | met |"
    lines = [head, "|---|---|---:|---|---:|---|---|"]
    for f in figures:
        limit = f"{_fmt(f.limit)} {f.unit} ({f.limit_name})" if f.limit is not None else "—"
        met = {True: "yes", False: "**no**", None: "—"}[f.met]
        lines.append(
            f"| {f.measure} | {f.name} | {_fmt(f.value)} {f.unit} | {limit} | "
            f"{_fmt(f.ratio)} | {f.target_text or '—'} | {met} |"
        )
    return "\n".join(lines)


def write_results(path: Path, meta: dict[str, Any], figures: list[Figure]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"meta": meta, "figures": [f.as_dict() for f in figures]}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2, default=str) + "\n")
    return path


def read_results(path: Path) -> tuple[dict[str, Any], list[Figure]]:
    """A results file written by ``write_results``: its meta and its figures."""
    body = json.loads(path.read_text())
    names = {f.name for f in fields(Figure)}
    return body["meta"], [
        Figure(**{k: v for k, v in f.items() if k in names}) for f in body["figures"]
    ]
