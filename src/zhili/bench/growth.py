"""The growth curve: the same measures on cities of growing size, side by side (issue 17).

``zhili bench --growth 100k,1M,3M`` builds a fresh city at each scale (same seed, same options),
measures it and writes its result file under ``<out>/growth/<scale>/``; ``zhili bench
--growth-show A.json B.json …`` composes result files written before. Both print a Markdown table
— every figure at each scale and the largest scale's value ÷ the smallest's — and write an SVG plot
beside it: each time's value relative to its value at the smallest scale, against the number of
matters (log scale), with the line that lists and the dashboard must stay under (``FLAT``).

Only the measures' own figures are compared; each is still read beside its limit in its own run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from zhili.bench.figures import Figure, _fmt, read_results

FLAT = 1.5  # lists and dashboard: within 1.5× from 100k to 3M
FLAT_MEASURES = ("list", "dashboard")


@dataclass
class Run:
    """One result file: its scale (matters in the city), its meta and its figures."""

    scale: int
    meta: dict[str, Any]
    figures: list[Figure]

    @classmethod
    def read(cls, path: Path) -> Run:
        meta, figures = read_results(path)
        return cls(scale=int(meta["scale"]), meta=meta, figures=figures)


def scale_text(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n / 1_000:g}k"
    return f"{n:,}"


def _key(f: Figure) -> tuple[str, str]:
    return (f.measure, f.name)


def series(runs: Sequence[Run]) -> list[tuple[tuple[str, str], str, list[float | None]]]:
    """Every figure found in any run: (measure, name), unit, its value at each scale (None where
    a run lacks it), in the order the runs first list them."""
    order: list[tuple[str, str]] = []
    units: dict[tuple[str, str], str] = {}
    for run in runs:
        for f in run.figures:
            if _key(f) not in units:
                order.append(_key(f))
                units[_key(f)] = f.unit
    out = []
    for key in order:
        values: list[float | None] = []
        for run in runs:
            found = [f.value for f in run.figures if _key(f) == key]
            values.append(found[0] if found else None)
        out.append((key, units[key], values))
    return out


def growth_of(values: Sequence[float | None]) -> float | None:
    """The value at the largest scale that has one ÷ the value at the smallest (None if either
    is missing or the first is 0)."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    if len(known) < 2 or known[0] == 0:
        return None
    return known[-1] / known[0]


def is_time(unit: str) -> bool:
    return unit in ("ms", "s")


def must_stay_flat(key: tuple[str, str], unit: str) -> bool:
    """Lists and the dashboard: their response times (not their SQL ratios)."""
    return key[0] in FLAT_MEASURES and is_time(unit)


def growth_table(runs: Sequence[Run]) -> str:
    runs = sorted(runs, key=lambda r: r.scale)
    head = "| measure | figure | " + " | ".join(scale_text(r.scale) for r in runs)
    head += " | largest ÷ smallest | flat (≤ 1.5×) |"
    lines = [head, "|---|---|" + "---:|" * len(runs) + "---:|---|"]
    for key, unit, values in series(runs):
        g = growth_of(values)
        flat = "—"
        if must_stay_flat(key, unit) and g is not None:
            flat = "yes" if g <= FLAT else "**no**"
        cells = " | ".join("—" if v is None else f"{_fmt(v)} {unit}" for v in values)
        lines.append(f"| {key[0]} | {key[1]} | {cells} | {_fmt(g)} | {flat} |")
    built = [
        f"{scale_text(r.scale)}: generated in {r.meta['build']['times']['generate_s']:,.0f} s "
        f"({r.meta['build']['times']['generate_per_s']:,.0f} matters/s)"
        for r in runs
        if (r.meta.get("build") or {}).get("times")
    ]
    return "\n".join(lines + (["", "Build: " + "; ".join(built) + "."] if built else []))


# The plot ---------------------------------------------------------------------------------------

W, H = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 250, 30, 50
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#0a7b83", "#bc4c00", "#57606a")


def plotted(runs: Sequence[Run]) -> list[tuple[str, list[tuple[int, float]]]]:
    """The times worth a line: p95 of every read and the sweep, each relative to its own value
    at the smallest scale."""
    runs = sorted(runs, key=lambda r: r.scale)
    out = []
    for key, unit, values in series(runs):
        if not is_time(unit) or not ("p95" in key[1] or key[0] == "sweep"):
            continue
        points = [(r.scale, v) for r, v in zip(runs, values, strict=True) if v is not None]
        if len(points) < 2 or points[0][1] <= 0:
            continue
        first = points[0][1]
        out.append((f"{key[0]}: {key[1]}", [(s, v / first) for s, v in points]))
    return out


def growth_svg(runs: Sequence[Run], title: str = "") -> str:
    """A line per plotted time (``plotted``): x the matters (log), y the time ÷ its first."""
    lines = plotted(runs)
    scales = sorted({r.scale for r in runs})
    ys = [y for _, pts in lines for _, y in pts] + [1.0, FLAT]
    y_top = max(2.0, math.ceil(max(ys) * 2) / 2)
    lo, hi = math.log10(scales[0]), math.log10(scales[-1]) if len(scales) > 1 else 1
    span = (hi - lo) or 1.0

    def x(n: int) -> float:
        return LEFT + (math.log10(n) - lo) / span * (W - LEFT - RIGHT)

    def y(v: float) -> float:
        return TOP + (1 - v / y_top) * (H - TOP - BOTTOM)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
        f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
        f'<rect width="{W}" height="{H}" fill="white"/>',
        f'<text x="{LEFT}" y="18" font-size="14">{escape(title)}</text>',
    ]
    # Axes, ticks and the flat line.
    out.append(
        f'<line x1="{LEFT}" y1="{y(0)}" x2="{W - RIGHT}" y2="{y(0)}" stroke="#333"/>'
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{y(0)}" stroke="#333"/>'
    )
    step = 0.5 if y_top <= 4 else 1.0
    v = 0.0
    while v <= y_top + 1e-9:
        out.append(
            f'<line x1="{LEFT - 4}" y1="{y(v):.1f}" x2="{W - RIGHT}" y2="{y(v):.1f}" '
            f'stroke="#eee"/><text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{v:g}×</text>"
        )
        v += step
    for n in scales:
        out.append(
            f'<text x="{x(n):.1f}" y="{y(0) + 18:.1f}" text-anchor="middle">{scale_text(n)}</text>'
        )
    out.append(
        f'<text x="{(LEFT + W - RIGHT) / 2:.0f}" y="{H - 8}" text-anchor="middle">'
        "matters in the city (log scale)</text>"
    )
    out.append(
        f'<line x1="{LEFT}" y1="{y(FLAT):.1f}" x2="{W - RIGHT}" y2="{y(FLAT):.1f}" '
        f'stroke="#d1242f" stroke-dasharray="6 4"/>'
        f'<text x="{W - RIGHT - 4}" y="{y(FLAT) - 5:.1f}" text-anchor="end" fill="#d1242f">'
        f"{FLAT:g}× (lists, dashboard)</text>"
    )
    for i, (label, pts) in enumerate(lines):
        colour = COLOURS[i % len(COLOURS)]
        path = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for s, v in pts:
            out.append(f'<circle cx="{x(s):.1f}" cy="{y(v):.1f}" r="3" fill="{colour}"/>')
        ly = TOP + 16 * i
        out.append(
            f'<line x1="{W - RIGHT + 12}" y1="{ly}" x2="{W - RIGHT + 30}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"/><text x="{W - RIGHT + 34}" y="{ly + 4}">'
            f"{escape(label[:34])}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def report(paths: Sequence[Path], svg_path: Path) -> str:
    """The table for ``paths`` (result files); the plot is written to ``svg_path``."""
    runs = sorted((Run.read(p) for p in paths), key=lambda r: r.scale)
    db = runs[0].meta.get("db", "") if runs else ""
    svg_path.parent.mkdir(parents=True, exist_ok=True)
    svg_path.write_text(
        growth_svg(runs, title=f"Zhili: p95 ÷ its value at the smallest city ({db})")
    )
    return growth_table(runs) + f"\n\nPlot: {svg_path}"
