"""Snapshot files of the tests (the access matrix, pinned query counts): JSON in the repository,
compared on every run and rewritten when ``ZHILI_UPDATE_SNAPSHOTS=1`` is set.

Rewrites hold an exclusive lock on the file while they read, change and write it, so parallel
test workers (pytest-xdist) each add their part without losing another's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SWITCH = "ZHILI_UPDATE_SNAPSHOTS"


def updating() -> bool:
    """True when the snapshots are to be rewritten from this run's results."""
    return os.environ.get(SWITCH, "").strip().lower() in {"1", "true", "yes", "on"}


def read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_SH)
        text = f.read()
    return json.loads(text) if text.strip() else {}


def dumps(data: dict[str, Any]) -> str:
    """Keys sorted, one key per line with its value on that line: a change is a one-line diff."""
    lines = [
        f"  {json.dumps(key, ensure_ascii=False)}: "
        f"{json.dumps(data[key], ensure_ascii=False, separators=(', ', ': '))}"
        for key in sorted(data)
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n" if lines else "{}\n"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield f


def update(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Read the file, let ``change`` edit the data in place, write it back (under a lock)."""
    with _locked(path) as f:
        f.seek(0)
        text = f.read()
        data = json.loads(text) if text.strip() else {}
        change(data)
        f.seek(0)
        f.truncate()
        f.write(dumps(data))
