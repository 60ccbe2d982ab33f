"""ECharts tooltips show area names as text, never as HTML (issue 18, item 12).

Every ``formatter: function (p) {…}`` of our static scripts is cut out and run in Node with the
real ECharts, on a data point whose name is markup: the tooltip must hold it escaped."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(__file__).resolve().parents[2]
NAME = '<img src=x onerror="alert(1)">渝中区'


def formatters() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SRC.glob("*/static/**/*.js")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"formatter:\s*function\s*\(\w*\)\s*\{", text):
            depth, i = 0, match.end() - 1
            while True:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
                if depth == 0:
                    break
            source = text[match.start() + len("formatter:") : i].strip()
            found.append(
                (f"{path.relative_to(SRC)}:{text[: match.start()].count(chr(10)) + 1}", source)
            )
    return found


def test_the_scripts_have_formatters() -> None:
    assert len(formatters()) >= 3


@pytest.mark.parametrize(("where", "source"), formatters(), ids=[w for w, _ in formatters()])
def test_a_tooltip_escapes_the_name(where: str, source: str) -> None:
    node = shutil.which("node")
    echarts = Path(settings.NODE_MODULES) / "echarts" / "dist" / "echarts.js"
    if node is None or not echarts.is_file():
        pytest.skip("Node or node_modules/echarts missing")
    point = {"name": NAME, "value": 3, "data": {"red": 1, "orange": 2}}
    # A formatter may call its script's own escaping helper (``esc``): run it with that helper,
    # cut from the same file, and stand-ins for the figure it labels.
    path = SRC / where.rsplit(":", 1)[0]
    helper = re.search(r"function esc\(s\) \{.*?\n  \}", path.read_text(encoding="utf-8"), re.S)
    stand_ins = "\nvar f = {label: '超期'};\nfunction shown(f, v) { return String(v); }\n"
    helpers = helper.group(0) + stand_ins if helper else ""
    script = (
        f"var echarts = require({json.dumps(str(echarts))});\n"
        "var measure = 'overdue';\n"
        # the words a page hands its charts (translated there): metrics.js reads data.words
        "var words = {no_data: '无数据', unit: ' 件'};\n"
        # risk-map.js reads its words from its element's data- attributes
        "var el = {dataset: {red: '红色', orange: '橙色', high: '高', low: '低'}};\n"
        + (helpers if "esc(" in source else "")
        + f"var f = ({source});\n"
        f"process.stdout.write(String(f({json.dumps(point)})));\n"
    )
    done = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = done.stdout
    assert "渝中区" in shown
    assert "<img" not in shown and "&lt;img" in shown, (where, shown)
