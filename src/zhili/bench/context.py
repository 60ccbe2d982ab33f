"""What every measure gets: the database, the generated city's clock and its accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class BenchContext:
    db: str  # "sqlite" or "postgresql"
    database_url: str
    now: dt.datetime  # the generated city's "now": the last matter was created just before it
    users: dict[str, str]  # role → username: "city", "district", "street", "unit"
    scale: int = 0  # matters generated
    quick: bool = False  # a tiny run (the test suite): few repetitions, short loads
    say: Callable[[str], None] = print
    extra: dict[str, object] = field(default_factory=dict)
