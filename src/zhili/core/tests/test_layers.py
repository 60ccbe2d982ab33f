"""The dependency rules between apps, read from the source (ast) and the templates:

- core depends on no module: it imports no domain app, and its templates link to no domain page;
- matters does not depend on risks or disputes (they link to matters; their links reach a matter's
  page through ``core.related``);
- demo commands live in demo.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]  # src/zhili
DOMAIN = ("matters", "risks", "disputes", "targets", "areas", "org", "open311", "demo")
ABOVE_CORE = (*DOMAIN, "portal", "bench")
URL_NAME = re.compile(r"""{%\s*url\s+['"]([a-z0-9_]+):""")
INCLUDE = re.compile(r"""{%\s*(?:include|extends)\s+['"]([a-z0-9_]+)/""")


def imported_modules(source: str) -> set[str]:
    """Every module a source imports, wherever the import is (functions, TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def app_imports(source: str, apps: tuple[str, ...]) -> set[str]:
    """The ``zhili.<app>`` packages among ``apps`` that a source imports."""
    return {
        ".".join(m.split(".")[:2])
        for m in imported_modules(source)
        if m.split(".")[0] == "zhili" and len(m.split(".")) > 1 and m.split(".")[1] in apps
    }


def template_refs(text: str) -> set[str]:
    """The apps a template reaches: URL namespaces it reverses, app template folders it includes."""
    return set(URL_NAME.findall(text)) | set(INCLUDE.findall(text))


def _code(app: str) -> list[Path]:
    return [p for p in (SRC / app).rglob("*.py") if "tests" not in p.relative_to(SRC).parts]


def _templates(app: str) -> list[Path]:
    return list((SRC / app / "templates").rglob("*.html"))


def violations(app: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in _code(app):
        for dep in sorted(app_imports(path.read_text(), forbidden)):
            out.append(f"{path.relative_to(SRC)} imports {dep}")
    for path in _templates(app):
        for dep in sorted(template_refs(path.read_text()) & set(forbidden)):
            out.append(f"{path.relative_to(SRC)} refers to {dep}")
    return out


def test_the_checks_see_what_they_look_for() -> None:
    bad = "from zhili.org.models import User\ndef f():\n    import zhili.risks.selectors\n"
    assert app_imports(bad, DOMAIN) == {"zhili.org", "zhili.risks"}
    typed = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from zhili import matters\n"
    assert app_imports(typed, DOMAIN) == {"zhili.matters"}
    good = "from zhili.core.scoping import require\nfrom django.apps import apps\n"
    assert app_imports(good, DOMAIN) == set()
    assert template_refs("{% url 'areas:detail' a.code %}{% include \"risks/_row.html\" %}") == {
        "areas",
        "risks",
    }
    assert template_refs("{% url 'home' %}{% include 'core/_pager.html' %}") == {"core"}


def test_core_depends_on_no_module() -> None:
    assert violations("core", ABOVE_CORE) == []


def test_matters_does_not_depend_on_risks_or_disputes() -> None:
    assert violations("matters", ("risks", "disputes")) == []


def test_demo_commands_live_in_demo() -> None:
    demo_like = re.compile(r"^(demo_\w+|load_\w*demo)\.py$")
    elsewhere = [
        str(p.relative_to(SRC))
        for p in SRC.glob("*/management/commands/*.py")
        if demo_like.match(p.name) and p.parts[-4] != "demo"
    ]
    assert elsewhere == []
    assert (SRC / "demo/management/commands/demo_matters.py").exists()
