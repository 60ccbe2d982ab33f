"""The growth curve's table and plot, from result files of known figures."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from zhili.bench.figures import Figure, write_results
from zhili.bench.growth import Run, growth_svg, growth_table, report
from zhili.bench.run import main


def _write(tmp: Path, scale: int, list_ms: float, dash_ms: float, sweep_s: float) -> Path:
    figures = [
        Figure("list", "district user, first page, API p95", list_ms, "ms", limit=5.0),
        Figure("dashboard", "city by district, 30 days, API p95", dash_ms, "ms", limit=900.0),
        Figure("sweep", "next pass over the open matters", sweep_s, "s"),
        Figure("intake", "API matters/s", 300.0, "matters/s", better="higher"),
    ]
    meta = {"scale": scale, "db": "postgresql",
            "build": {"times": {"generate_s": scale / 500, "generate_per_s": 500.0}}}  # fmt: skip
    return write_results(tmp / f"{scale}.json", meta, figures)


def test_each_figure_at_each_scale_with_its_growth_and_the_flat_verdict(tmp_path: Path) -> None:
    paths = [
        _write(tmp_path, 3_000_000, 14.0, 300.0, 9.0),  # given out of order
        _write(tmp_path, 100_000, 10.0, 100.0, 1.0),
        _write(tmp_path, 1_000_000, 12.0, 180.0, 3.0),
    ]
    runs = [Run.read(p) for p in paths]
    table = growth_table(runs)
    rows = {line.split(" | ")[1]: line for line in table.splitlines() if line.startswith("| ")}
    assert table.splitlines()[0].startswith("| measure | figure | 100k | 1M | 3M |")
    assert rows["district user, first page, API p95"].endswith(
        "| 10.0 ms | 12.0 ms | 14.0 ms | 1.40 | yes |"
    )
    assert rows["city by district, 30 days, API p95"].endswith("| 3.00 | **no** |")  # 300 ÷ 100
    assert rows["next pass over the open matters"].endswith("| 9.00 | — |")  # may grow
    assert "100k: generated in 200 s (500 matters/s)" in table

    svg = ET.fromstring(growth_svg(runs))
    lines = svg.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == 3  # the two p95 and the sweep; not the intake rate
    first = [tuple(map(float, p.split(","))) for p in lines[0].get("points", "").split()]
    assert [x for x, _ in first] == sorted(x for x, _ in first)  # by scale
    assert first[0][1] > first[-1][1]  # 1.4× sits above 1× (SVG y grows downwards)


def test_the_command_composes_files_already_written(tmp_path: Path, capsys: object) -> None:
    a = _write(tmp_path, 100_000, 10.0, 100.0, 1.0)
    b = _write(tmp_path, 1_000_000, 11.0, 120.0, 2.0)
    assert main(["--growth-show", str(a), str(b), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "| 100k | 1M |" in printed and "-growth.svg" in printed
    (svg,) = (tmp_path / "out").glob("*-growth.svg")
    ET.fromstring(svg.read_text())
    assert json.loads(a.read_text())["meta"]["scale"] == 100_000
    assert report([a, b], tmp_path / "again.svg").count("\n| ") == 4  # a row per figure


def test_reuse_without_a_city_in_out_refuses_instead_of_generating_into_it(
    tmp_path: Path, capsys: Any, monkeypatch: Any
) -> None:
    """``--reuse`` measures the city a previous run left (its state file in ``--out``); without
    it the inner run used to generate a second city into the database already there."""
    import zhili.bench.run as run

    started: list[Any] = []
    monkeypatch.setattr(run.subprocess, "call", lambda *a, **k: started.append(a) or 0)
    monkeypatch.setattr(run, "fresh_database", lambda *a: started.append(a))
    monkeypatch.setenv("ZHILI_VAR", str(tmp_path / "var"))
    status = main(["--db", "sqlite", "--reuse", "--only", "detail", "--out", str(tmp_path)])
    assert status == 2 and not started
    assert ".sqlite-state.json" in capsys.readouterr().err
    (tmp_path / ".sqlite-state.json").write_text("{}")
    assert main(["--db", "sqlite", "--reuse", "--only", "detail", "--out", str(tmp_path)]) == 0
    assert len(started) == 1  # the inner run, with no fresh database
