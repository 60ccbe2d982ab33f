#!/usr/bin/env python3
"""Layer rules from ARCHITECTURE.md that ruff cannot check, in the thin modules (views and API:
``views.py``, ``api.py``, ``*_views.py``, ``*_api.py``):

1. ``objects``: no ``Model.objects`` (or ``_default_manager``): reads go through scoped selectors,
   writes through services. Allowed on a line marked ``# lint: allow-objects``.
2. ``related``: no read through a related manager (``matter.disputes.all()``,
   ``obj.event_set.filter(...)``, ``d.risks.all()``): a reverse relation returns every related row,
   whatever the reader may see, so it bypasses scoping. Read through the related app's selector
   instead. Allowed where marked ``# lint: allow-related <why it is safe>`` (a reason is
   required), at the end of the line or on a comment line just above it.

Each rule carries good and bad examples; tests/tools/test_lint_layers.py checks the rules against
them. Run: ``python tools/lint_layers.py [paths...]`` (default: every thin module under src/zhili).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "zhili"

# QuerySet methods that read; on a related manager each one reads unscoped rows. (``get`` and
# ``values`` are left out: dictionaries have them too; on a ``*_set`` manager every method counts.)
READS = {
    "aggregate",
    "all",
    "annotate",
    "count",
    "defer",
    "distinct",
    "earliest",
    "exclude",
    "exists",
    "filter",
    "first",
    "in_bulk",
    "iterator",
    "last",
    "latest",
    "only",
    "order_by",
    "prefetch_related",
    "select_related",
    "union",
    "values_list",
}
NO_ARGS_ONLY = {"count", "exists", "first", "last"}  # str.count("x"), Path.exists() have args/…
ALLOW_RELATED = re.compile(r"#\s*lint:\s*allow-related\b(?P<reason>.*)$")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: [{self.rule}] {self.message}"


@dataclass(frozen=True)
class Rule:
    name: str
    check: Callable[[ast.AST, list[str]], Iterator[tuple[int, str]]]
    good: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)


def is_thin(path: Path) -> bool:
    """Views and API modules: the ones that translate input and output and hold no reads."""
    name = path.name
    return name in ("views.py", "api.py") or name.endswith(("_views.py", "_api.py"))


def _marked(lines: list[str], node: ast.AST, marker: str) -> str | None:
    """The text after ``marker`` on the node's first or last line, or on a comment line just
    above it; None when unmarked."""
    first, last = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
    candidates = [first, last]
    if first > 1 and lines[first - 2].lstrip().startswith("#"):
        candidates.append(first - 1)
    for no in candidates:
        if 0 < no <= len(lines) and marker in lines[no - 1]:
            return lines[no - 1].split(marker, 1)[1]
    return None


def objects_reads(tree: ast.AST, lines: list[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and _marked(lines, node, "# lint: allow-objects") is None
        ):
            yield node.lineno, f".{node.attr} in a view/API module; use a selector or a service"


def _related_manager(call: ast.Call) -> str | None:
    """``x.rel.all()`` -> "rel" when the call reads through an attribute that is a manager."""
    func = call.func
    if not isinstance(func, ast.Attribute) or not isinstance(func.value, ast.Attribute):
        return None
    manager = func.value.attr
    if manager in ("objects", "_default_manager"):  # the objects rule's business
        return None
    if manager.endswith("_set"):
        return manager
    if func.attr not in READS:
        return None
    if func.attr in NO_ARGS_ONLY and (call.args or call.keywords):
        return None
    return manager


def related_reads(tree: ast.AST, lines: list[str]) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        manager = _related_manager(node)
        if manager is None:
            continue
        reason = _marked(lines, node, "# lint: allow-related")
        if reason is not None and reason.strip():
            continue
        method = node.func.attr  # type: ignore[attr-defined]
        message = (
            f".{manager}.{method}(): a read through a related manager bypasses scoping; "
            "use the related app's selector"
        )
        if reason is not None:
            message = "# lint: allow-related needs a reason after it"
        yield node.lineno, message


RULES = [
    Rule(
        "objects",
        objects_reads,
        good=[
            "def page(request):\n    return selectors.matter_list(request.user)\n",
            "def page(request):\n    rows = Matter.objects.none()  # lint: allow-objects (empty)\n",
            "def page(request):\n    return services.matter_create(actor=request.user)\n",
        ],
        bad=[
            "def page(request):\n    return Matter.objects.filter(pk=1)\n",
            "def page(request, pk):\n    return get_object_or_404(Risk.objects.all(), pk=pk)\n",
            "def page(request):\n    return Unit._default_manager.all()\n",
        ],
    ),
    Rule(
        "related",
        related_reads,
        good=[
            "def page(request, d):\n    return risk_selectors.risks_of_dispute(request.user, d)\n",
            "def page(request):\n    return request.GET.get('q', '')\n",
            "def page(request, form):\n    return form.cleaned_data.get('note')\n",
            "def page(request, qs):\n    return qs.filter(status='open').first()\n",
            "def page(request, m):\n    return m.title.count('x')\n",
            "def page(request, d):\n    return d.data.values()\n",
            "def page(request, m):\n"
            "    return m.events.all()  # lint: allow-related the page checked view on m\n",
            "def page(request, m):\n"
            "    # lint: allow-related the parts of m share its scope\n"
            "    return m.parts.all()\n",
        ],
        bad=[
            "def page(request, d):\n    return list(d.risks.all())\n",
            "def page(request, risk):\n    return risk.matter.disputes.all()\n",
            "def page(request, m):\n    return m.events.filter(action='close')\n",
            "def page(request, m):\n    return m.matterevent_set.all()\n",
            "def page(request, u):\n    return u.grants.select_related('role')\n",
            "def page(request, m):\n    return m.attachments.count()\n",
            "def page(request, m):\n    return m.events.all()  # lint: allow-related\n",
            "def page(request, m):\n"
            "    # lint: allow-related the parts share m's scope\n"
            "    x = 1\n"
            "    return m.parts.all()\n",
        ],
    ),
]


def check_source(source: str, path: str = "<snippet>", rules: list[Rule] = RULES) -> list[Finding]:
    tree = ast.parse(source, path)
    lines = source.splitlines()
    found = []
    for rule in rules:
        for line, message in rule.check(tree, lines):
            found.append(Finding(path, line, rule.name, message))
    return sorted(found, key=lambda f: (f.line, f.rule))


def thin_modules(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if is_thin(p) and "tests" not in p.parts)


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or thin_modules()
    problems: list[Finding] = []
    for path in paths:
        shown = (
            str(path.resolve().relative_to(ROOT.parent.parent)) if path.is_absolute() else str(path)
        )
        problems += check_source(path.read_text(encoding="utf-8"), shown)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
