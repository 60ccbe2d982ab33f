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
PATTERNS = {"compile", "match", "search", "sub", "fullmatch", "split", "findall", "finditer"}
STORED_KEYWORDS = {"code", "action", "kind", "key", "note", "summary", "body", "reason"}
STORED_KEYWORDS |= {"description", "object_repr", "label_key"}


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
        self.fstrings: list[tuple[ast.JoinedStr, bool]] = []

    def generic_visit(self, node: ast.AST) -> None:
        self.parents.append(node)
        super().generic_visit(node)
        self.parents.pop()

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        if any(
            isinstance(v, ast.Constant) and isinstance(v.value, str) and HAN.search(v.value)
            for v in node.values
        ) and not self._skipped(node):
            self.fstrings.append((node, self._inside()))
        # never descend: the parts of an f-string are not literals of their own

    def _skipped(self, node: ast.AST) -> bool:
        parent = self.parents[-1] if self.parents else None
        if isinstance(parent, ast.Expr):
            return True  # docstring or bare literal
        if isinstance(parent, ast.Compare | ast.MatchValue | ast.Subscript | ast.Set):
            return True
        if isinstance(parent, ast.Dict) and node in parent.keys:
            return True
        if isinstance(parent, ast.keyword) and parent.arg in STORED_KEYWORDS:
            return True
        for anc in reversed(self.parents):
            if isinstance(anc, ast.Call):
                name = _call_name(anc)
                if name in GETTEXT | LOGGING | DATABASE | PATTERNS:
                    return True
            if isinstance(anc, ast.Compare):
                return True
        return False

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and HAN.search(node.value) and not self._skipped(node):
            self.found.append((node, self._inside()))

    def _inside(self) -> bool:
        for i, anc in enumerate(self.parents):
            if isinstance(anc, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                nxt = self.parents[i + 1] if i + 1 < len(self.parents) else None
                if nxt is not anc.args:  # default arguments run at definition time
                    return True
        return False


def _fstring(node: ast.JoinedStr, source: str, inside: bool) -> str | None:
    """f"…{x}…" as gettext("…%(x)s…") % {"x": x}; None when it cannot."""
    text, values = "", {}
    for part in node.values:
        if isinstance(part, ast.Constant):
            text += str(part.value).replace("%", "%%")
            continue
        assert isinstance(part, ast.FormattedValue)
        expr = ast.get_source_segment(source, part.value)
        if expr is None or "\n" in expr:
            return None
        if part.conversion == ord("r"):
            expr = f"repr({expr})"
        elif part.conversion == ord("s"):
            expr = f"str({expr})"
        if part.format_spec is not None:
            spec = part.format_spec
            if not all(isinstance(v, ast.Constant) for v in spec.values):
                return None
            fmt = "".join(str(v.value) for v in spec.values)  # type: ignore[attr-defined]
            expr = f"format({expr}, {fmt!r})"
        base = re.split(r"[^\w.]", ast.get_source_segment(source, part.value) or "")[0]
        name = base.split(".")[-1] if base else "value"
        name = name if re.fullmatch(r"[A-Za-z_]\w*", name) and name != "_" else "value"
        while name in values and values[name] != expr:
            name += "2"
        values[name] = expr
        text += f"%({name})s"
    fn = "gettext" if inside else "gettext_lazy"
    if not inside:
        return None  # a lazy string cannot be %-formatted at import time: by hand
    literal = '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    mapping = ", ".join(f'"{k}": {v}' for k, v in values.items())
    return f"{fn}({literal}) % {{{mapping}}}"


def wrap(path: Path, dry: bool) -> list[str]:
    source = path.read_text()
    tree = ast.parse(source)
    finder = Finder()
    finder.visit(tree)
    notes = []
    if not finder.found and not finder.fstrings:
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
    for fnode, inside in finder.fstrings:
        assert fnode.end_lineno is not None and fnode.end_col_offset is not None
        start = pos(fnode.lineno, fnode.col_offset)
        end = pos(fnode.end_lineno, fnode.end_col_offset)
        new = _fstring(fnode, source, inside)
        if new is None or fnode.lineno != fnode.end_lineno:
            notes.append(f"{path}:{fnode.lineno}: f-string: {source[start:end]:.100}")
            continue
        used.add("gettext")
        edits.append((start, end, new))
    if not edits:
        return notes
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
