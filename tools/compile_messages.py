"""Compile every stale gettext catalogue (.po → .mo) without GNU gettext.

``make setup`` runs it, and so does the test session (conftest.py): a fresh machine without
``msgfmt`` still serves English. A catalogue is stale when its .mo is missing or older than its
.po. The .mo files are never committed (.gitignore).

    python tools/compile_messages.py            # the stale ones
    python tools/compile_messages.py --all      # every one
    python tools/compile_messages.py --check    # exit 1 if a catalogue has an error
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH = (ROOT / "src" / "zhili", ROOT / "locale")


def catalogues(roots: tuple[Path, ...] = SEARCH) -> list[Path]:
    """Every .po file under a ``locale/<lang>/LC_MESSAGES`` folder of the project."""
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found += [p for p in root.rglob("*.po") if p.parent.name == "LC_MESSAGES"]
    return sorted(found)


def stale(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    return not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime


def compile_one(po: Path) -> list[str]:
    """Write the .mo beside the .po; the problems found (fuzzy entries are left out, as msgfmt
    does; a msgstr whose %(name)s placeholders differ from its msgid is an error)."""
    import re

    import polib

    catalogue = polib.pofile(str(po))
    placeholder = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
    problems = []
    for entry in catalogue.translated_entries():
        wanted = sorted(placeholder.findall(entry.msgid))
        if entry.msgstr and sorted(placeholder.findall(entry.msgstr)) != wanted:
            problems.append(f"{po}:{entry.linenum}: placeholders differ: {entry.msgid!r}")
    # Written beside and renamed: test workers compiling at once never read half a file.
    mo = po.with_suffix(".mo")
    partial = mo.with_suffix(f".mo.{os.getpid()}")
    catalogue.save_as_mofile(str(partial))
    os.replace(partial, mo)
    return problems


def compile_stale(everything: bool = False) -> tuple[list[Path], list[str]]:
    done, problems = [], []
    for po in catalogues():
        if everything or stale(po):
            problems += compile_one(po)
            done.append(po)
    return done, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="compile every catalogue")
    parser.add_argument("--check", action="store_true", help="fail on a catalogue's problems")
    args = parser.parse_args(argv)
    done, problems = compile_stale(everything=args.all)
    for po in done:
        print(f"compiled {po.relative_to(ROOT)}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
