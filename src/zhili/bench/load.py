"""What a load needs whatever it drives: a timed window, the record of each request and its
summary, a DB-API connection like the app's, and what PostgreSQL's backends wait on meanwhile."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from zhili.bench.figures import percentile

OK = "ok"

# Records of one load: (start, end, outcome) on the monotonic clock, outcome OK or what failed.
Record = tuple[float, float, str]


@dataclass
class Window:
    """Start, end of the warm-up, end of the timed window (monotonic clock)."""

    start: float
    timed: float
    stop: float

    @classmethod
    def after(cls, delay: float, warmup: float, seconds: float) -> Window:
        start = time.monotonic() + delay
        return cls(start, start + warmup, start + warmup + seconds)


@dataclass
class Summary:
    ok: int
    rate: float  # successes completed inside the timed window per second
    p50: float
    p99: float
    failures: Counter[str] = field(default_factory=Counter)  # over the whole run

    @classmethod
    def of(cls, records: list[Record], window: Window, *, per_request: int = 1) -> Summary:
        """``per_request``: items each successful request carries (a batch), counted in ``ok``
        and ``rate``; the latencies stay per request."""
        timed = [r for r in records if window.timed <= r[0] < window.stop]
        done = sum(1 for r in records if r[2] == OK and window.timed <= r[1] <= window.stop)
        ms = [(r[1] - r[0]) * 1000 for r in timed]
        return cls(
            ok=sum(per_request for r in records if r[2] == OK),
            rate=done * per_request / (window.stop - window.timed),
            p50=percentile(ms, 50),
            p99=percentile(ms, 99),
            failures=Counter(r[2] for r in records if r[2] != OK),
        )


def connect(database_url: str) -> tuple[Any, Callable[[Any], None]]:
    """A new DB-API connection to the bench database and the statement that begins a write
    transaction (SQLite: IMMEDIATE with the app's pragmas, as settings.py configures Django)."""
    import dj_database_url

    cfg = dj_database_url.parse(database_url)
    if cfg["ENGINE"].endswith("sqlite3"):
        import sqlite3

        conn: Any = sqlite3.connect(cfg["NAME"], timeout=5, isolation_level=None)
        conn.executescript(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;"
        )
        return conn, lambda cur: cur.execute("BEGIN IMMEDIATE")
    import psycopg

    conn = psycopg.connect(
        dbname=cfg["NAME"],
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
    )
    return conn, lambda cur: None


class PgWaits:
    """What the bench database's client backends are doing, sampled every 50 ms during a load
    (PostgreSQL only): waiting on a lock, on I/O, on the app ("idle in transaction": the worker
    holds the transaction while Python runs) or running. Says where a load queues."""

    QUERY = (
        "SELECT state, coalesce(wait_event_type || ':' || wait_event, 'running'), "
        "left(regexp_replace(query, '\\s+', ' ', 'g'), 70) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend' AND state <> 'idle'"
    )

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.seen: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PgWaits:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        conn, _ = connect(self.url)
        conn.autocommit = True
        try:
            while not self._stop.wait(0.05):
                for state, wait, query in conn.execute(self.QUERY).fetchall():
                    kind = "app (idle in transaction)" if state != "active" else wait
                    self.kinds[kind.split(":")[0]] += 1
                    self.seen[f"{kind} @ {query}"] += 1
        finally:
            conn.close()

    def summary(self) -> dict[str, Any]:
        total = sum(self.kinds.values()) or 1
        return {
            "backend_samples": sum(self.kinds.values()),
            "share": {k: round(v / total, 3) for k, v in self.kinds.most_common()},
            "top": [f"{n / total:.0%} {what}" for what, n in self.seen.most_common(4)],
        }
