"""Mark the Chinese string literals of Python modules for translation (a helper; review its diff).

    python tools/i18n_wrap_py.py src/zhili/matters [more files or folders] [--dry-run]

A literal holding Chinese becomes ``gettext_lazy("…")`` at module or class level and
``gettext("…")`` inside a function, and the import is added. Left alone (and, where a human
should look, listed): docstrings; f-strings (listed: rewrite as ``gettext("…%(x)s…") % {…}``);
literals already inside a gettext call; arguments of logging, ``print``, ``say``, ``write`` and of
database calls (``filter``, ``get``, ``create``, …: stored values); comparisons, ``match`` cases,
dict keys and subscripts (values, not labels); calls to ``notify`` (stored notices). Tests,
migrations and management commands are skipped. Run ``ruff check --fix`` afterwards (imports).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "gettext_noop",
    "format_lazy",
}
LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log", "print", "say"}
LOGGING |= {"write", "CommandError", "warn"}
DATABASE = {"filter", "get", "exclude", "get_or_create", "update_or_create", "create", "update"}
DATABASE |= {"bulk_create", "values", "annotate", "Value", "notify", "audit", "audit_log"}
DATABASE |= {"record", "Q"}


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


class Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.parents: list[ast.AST] = []
        self.found: list[tuple[ast.Constant, bool]] = []  # (literal, inside a function)
        self.fstrings: list[ast.JoinedStr] = []

    def generic_visit(self, node: ast.AST) -> None:
        self.parents.append(node)
        super().generic_visit(node)
        self.parents.pop()

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if any(
            isinstance(v, ast.Constant) and isinstance(v.value, str) and HAN.search(v.value)
            for v in node.values
        ) and not self._skipped(node):
            self.fstrings.append(node)
        # never descend: the parts of an f-string are not literals of their own

    def _skipped(self, node: ast.AST) -> bool:
        parent = self.parents[-1] if self.parents else None
        if isinstance(parent, ast.Expr):
            return True  # docstring or bare literal
        if isinstance(parent, ast.Compare | ast.MatchValue | ast.Subscript):
            return True
        if isinstance(parent, ast.Dict) and node in parent.keys:
            return True
        if isinstance(parent, ast.keyword) and parent.arg in ("code", "action", "kind", "key"):
            return True
        for anc in reversed(self.parents):
            if isinstance(anc, ast.Call):
                name = _call_name(anc)
                if name in GETTEXT or name in LOGGING or name in DATABASE:
                    return True
            if isinstance(anc, ast.Compare):
                return True
        return False

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and HAN.search(node.value) and not self._skipped(node):
            inside = False
            for i, anc in enumerate(self.parents):
                if isinstance(anc, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                    nxt = self.parents[i + 1] if i + 1 < len(self.parents) else None
                    if nxt is not anc.args:  # default arguments run at definition time
                        inside = True
            self.found.append((node, inside))


def wrap(path: Path, dry: bool) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source)
    finder = Finder()
    finder.visit(tree)
    notes = [
        f"{path}:{n.lineno}: f-string: {ast.get_source_segment(source, n)!s:.100}"
        for n in finder.fstrings
    ]
    if not finder.found:
        return notes
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def pos(lineno: int, col: int) -> int:  # ast columns are UTF-8 byte offsets
        line = lines[lineno - 1]
        return offsets[lineno - 1] + len(line.encode()[:col].decode())

    edits = []
    used = set()
    for node, inside in finder.found:
        assert node.end_lineno is not None and node.end_col_offset is not None
        start, end = pos(node.lineno, node.col_offset), pos(node.end_lineno, node.end_col_offset)
        text = source[start:end]
        if text[:1] in "bBfF" or re.match(r"[rRuU]*[fF]", text):
            continue
        fn = "gettext" if inside else "gettext_lazy"
        used.add(fn)
        edits.append((start, end, f"{fn}({text})"))
    for start, end, new in sorted(edits, reverse=True):
        source = source[:start] + new + source[end:]
    imports = ", ".join(sorted(used))
    line = f"from django.utils.translation import {imports}\n"
    # after the last top-level import of the module's header
    head = ast.parse(path.read_text())
    last = 0
    for stmt in head.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            last = stmt.end_lineno or last
        elif last:
            break
    src_lines = source.splitlines(keepends=True)
    if last == 0:
        # after the module docstring
        first = head.body[0] if head.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            last = first.end_lineno or 0
    src_lines.insert(last, line)
    source = "".join(src_lines)
    if not dry:
        path.write_text(source)
    return notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args(argv)
    files: list[Path] = []
    for p in args.paths:
        files += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    skip = ("tests", "migrations", "management")
    notes = []
    for path in files:
        if any(part in skip for part in path.parts) or path.name.startswith("test_"):
            continue
        notes += wrap(path, args.dry_run)
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
