"""tools/lint_layers.py: each rule catches its bad examples and passes its good ones, on every thin
module (``views.py``, ``api.py``, ``*_views.py``, ``*_api.py``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

TOOL = Path(__file__).resolve().parents[2] / "tools" / "lint_layers.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lint_layers", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["lint_layers"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


lint = _load()
CASES = [
    (rule.name, kind, i, source)
    for rule in lint.RULES
    for kind, examples in (("good", rule.good), ("bad", rule.bad))
    for i, source in enumerate(examples)
]


def test_every_rule_has_examples_both_ways() -> None:
    assert {r.name for r in lint.RULES} == {"objects", "related"}
    assert all(r.good and r.bad for r in lint.RULES)


@pytest.mark.parametrize(("rule", "kind", "index", "source"), CASES)
def test_rule_examples(rule: str, kind: str, index: int, source: str) -> None:
    found = [f for f in lint.check_source(source) if f.rule == rule]
    if kind == "bad":
        assert found, f"{rule} missed bad example {index}:\n{source}"
    else:
        assert found == [], f"{rule} flagged good example {index}:\n{source}"


def test_a_finding_names_the_file_line_and_rule() -> None:
    source = "def page(request, d):\n    x = 1\n    return d.risks.all()\n"
    (finding,) = lint.check_source(source, "src/zhili/disputes/views.py")
    assert str(finding).startswith("src/zhili/disputes/views.py:3: [related] .risks.all()")


def test_a_marker_at_the_end_of_a_wrapped_call_counts() -> None:
    source = (
        "def page(request, m):\n"
        "    return m.events.filter(\n"
        "        action='close'\n"
        "    )  # lint: allow-related the page already required view on m\n"
    )
    assert lint.check_source(source) == []


@pytest.mark.parametrize(
    ("name", "thin"),
    [
        ("views.py", True),
        ("api.py", True),
        ("catalogue_views.py", True),
        ("metrics_api.py", True),
        ("selectors.py", False),
        ("services.py", False),
        ("review.py", False),
    ],
)
def test_which_modules_are_thin(name: str, thin: bool) -> None:
    assert lint.is_thin(Path(name)) is thin


def test_the_thin_modules_include_the_suffixed_ones() -> None:
    names = {p.name for p in lint.thin_modules()}
    assert {"views.py", "api.py", "catalogue_views.py", "metrics_api.py"} <= names


def test_the_source_tree_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert lint.main([]) == 0, capsys.readouterr().out
