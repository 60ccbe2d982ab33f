"""Intake: matters created through the HTTP API under load, beside the same rows by plain SQL.

``measure_intake`` starts gunicorn as production runs it (``zhili serve``: sync workers), has
``clients`` processes POST /api/v1/matters for ``seconds`` after a warm-up, and reports matters/s
and p50/p99 latency. Its limit, in the same run: ``SqlWriter`` writes the rows one API intake
writes (matter, per-day counter, "submit" event, rollup state, the area rollups of each level,
audit event) by hand-written SQL, one transaction per matter, from as many threads with their own
connections. The "memory" figure is the peak RSS (VmHWM) of the busiest worker after the load,
beside a process that imports the same application and serves nothing.

Everything the run adds is removed afterwards (matters, their events and rollup state; the rollup
counters are decremented through the app's own upsert), except the audit events, which the
database refuses to delete (append-only triggers), and the day's matter counter, which stays
advanced (numbers are never reused). The API token is revoked.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import pstats
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure, percentile

API_PATH = "/api/v1/matters"
CHANNEL = "hotline"
OK = "ok"
TARGET_RATE = 1000.0  # matters/s (issue 6)
TARGET_RSS_MB = 250.0
STREET_LEVELS = ("street", "community", "grid")

# Records of one load: (start, end, outcome) on the monotonic clock, outcome OK or what failed.
Record = tuple[float, float, str]


@dataclass(frozen=True)
class Sample:
    """One matter to submit: its API payload and what a hand-written writer needs to store it."""

    category_id: int
    category_code: str
    handling_mode: str
    dispatch_limit: tuple[float, str]
    area_id: int
    area_code: str
    area_path: str
    suggested_unit_id: int | None
    description: str
    reporter_name: str
    reporter_phone: str
    answers: dict[str, Any]

    def body(self) -> bytes:
        payload = {
            "category": self.category_code,
            "channel": CHANNEL,
            "description": self.description,
            "area": self.area_code,
            "reporter_name": self.reporter_name,
            "reporter_phone": self.reporter_phone,
            "answers": self.answers,
        }
        return json.dumps(payload, ensure_ascii=False).encode()


def pick_samples(n: int, *, seed: int = 6) -> list[Sample]:
    """Matters to submit: Zipf (1/rank) over the active leaf categories in catalogue order, uniform
    over the current areas at street level or below (so mostly communities and grids, as 12345
    matters are located). Area codes that name more than one area (ended and current) are left
    out: the API looks an area up by code alone."""
    from django.db.models import Count

    from zhili.areas.models import Area
    from zhili.matters.models import Category
    from zhili.matters.routing import rule_unit

    rng = random.Random(seed)
    categories = list(
        Category.objects.filter(is_active=True, parent__isnull=False).order_by("order", "code")
    )
    shared = Area.objects.values("code").annotate(n=Count("id")).filter(n__gt=1).values("code")
    areas = list(
        Area.objects.current()
        .filter(level__in=STREET_LEVELS)
        .exclude(code__in=shared)
        .order_by("id")
    )
    if not categories or not areas:
        raise RuntimeError("no active leaf category or no current street-level area to submit to")
    weights = [1 / (rank + 1) for rank in range(len(categories))]
    units: dict[tuple[int, int], int | None] = {}
    samples = []
    for i in range(n):
        cat, area = rng.choices(categories, weights)[0], rng.choice(areas)
        if (cat.pk, area.pk) not in units:
            unit = rule_unit(cat, area)
            units[(cat.pk, area.pk)] = unit.pk if unit else None
        samples.append(
            Sample(
                category_id=cat.pk,
                category_code=cat.code,
                handling_mode=cat.handling_mode,
                dispatch_limit=cat.limit("dispatch"),
                area_id=area.pk,
                area_code=area.code,
                area_path=area.path,
                suggested_unit_id=units[(cat.pk, area.pk)],
                description=f"{area.name}居民来电反映{cat.name}问题，请尽快核实处理（压测第 {i} 件）。",
                reporter_name=rng.choice("张王李赵刘陈杨黄") + rng.choice(["先生", "女士"]),
                reporter_phone=f"13{rng.randrange(10**9):09d}",
                answers=answers_for(cat.questions or []),
            )
        )
    return samples


def answers_for(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Answers to a category's required questions that pass its checks and block nothing, in
    the form ``check_answers`` stores them."""
    answers: dict[str, Any] = {}
    for q in questions:
        if not q.get("required"):
            continue
        blocked = (q.get("block") or {}).get("values") or []
        free = [o for o in q.get("options") or [] if o not in blocked]
        kind = q["type"]
        if kind in ("single", "multi"):
            answers[q["key"]] = free[0] if kind == "single" else free[:1]
        else:
            answers[q["key"]] = {"number": 1.0, "date": "2026-01-05"}.get(kind, "见诉求内容")
    return answers


# The limit: the same rows by hand-written SQL ------------------------------------------------


class SqlWriter:
    """Writes the rows ``services.matter_create`` writes for a staff member's hotline matter, by
    plain SQL on a DB-API cursor (sqlite3 or psycopg) inside the caller's transaction.

    Deadlines are the caller's (``dispatch_due``): working-day limits need the calendar, which is
    read once per run, not per matter."""

    def __init__(self, vendor: str, *, actor_id: int, actor_name: str) -> None:
        from zhili.core.models import AuditEvent
        from zhili.matters.models import (
            ROLLUP_COUNTERS,
            Matter,
            MatterAreaDay,
            MatterCounter,
            MatterEvent,
            MatterRollupState,
        )

        self.vendor, self.actor_id, self.actor_name = vendor, actor_id, actor_name
        self.ph = "?" if vendor == "sqlite" else "%s"
        self.counters = ROLLUP_COUNTERS
        self.t = {
            m.__name__: m._meta.db_table
            for m in (Matter, MatterCounter, MatterEvent, MatterRollupState, MatterAreaDay)
        }
        self.t["AuditEvent"] = AuditEvent._meta.db_table

    def _v(self, value: Any) -> Any:
        """A Python value as this driver stores it the way Django does."""
        if self.vendor == "sqlite":
            if isinstance(value, dt.datetime):
                return str(value.astimezone(dt.UTC).replace(tzinfo=None))
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, dict):
                return json.dumps(value)
            return value
        if isinstance(value, dict):
            from psycopg.types.json import Jsonb

            return Jsonb(value)
        return value

    def _insert(self, cur: Any, table: str, row: dict[str, Any], returning: str = "") -> Any:
        cols = ", ".join(row)
        marks = ", ".join([self.ph] * len(row))
        tail = f" RETURNING {returning}" if returning else ""
        cur.execute(
            f"INSERT INTO {table} ({cols}) VALUES ({marks}){tail}",
            [self._v(v) for v in row.values()],
        )
        return cur.fetchone()[0] if returning else None

    def write(
        self,
        cur: Any,
        s: Sample,
        *,
        now: dt.datetime,
        dispatch_due: dt.datetime,
        request_id: str = "",
        ip: str | None = None,
    ) -> int:
        """Write one matter; returns its id."""
        from django.utils import timezone

        from zhili.matters.rollups import level_paths

        ph, t = self.ph, self.t
        day = timezone.localdate(now)
        cur.execute(
            f"INSERT INTO {t['MatterCounter']} (day, last) VALUES ({ph}, 1) ON CONFLICT (day) "
            f"DO UPDATE SET last = {t['MatterCounter']}.last + 1 RETURNING last",
            [self._v(day)],
        )
        number = f"Q{day:%Y%m%d}{cur.fetchone()[0]:06d}"
        title = s.description[:30]
        parts = [p for p in s.area_path.split("/") if p]
        matter = {
            "number": number,
            "title": title,
            "description": s.description,
            "category_id": s.category_id,
            "channel": CHANNEL,
            "status": "submitted",
            "status_before_suspend": "",
            "handling_mode": s.handling_mode,
            "triage": "",
            "triage_reason": "",
            "area_id": s.area_id,
            "area_path": s.area_path,
            "district_code": parts[1] if len(parts) > 1 else parts[0],
            "address": "",
            "anonymous": False,
            "reporter_name": s.reporter_name,
            "reporter_phone": s.reporter_phone,
            "answers": s.answers,
            "suggested_unit_id": s.suggested_unit_id,
            "self_handled": False,
            "sampled": False,
            "created_by_id": self.actor_id,
            "created_at": now,
            "dispatch_due": dispatch_due,
            "due_at": dispatch_due,
            "overdue": dispatch_due < now,
            "warned_for": "",
            "extension_requested_days": 0,
            "extension_reason": "",
            "dispatch_count": 0,
            "rework_count": 0,
            "reopen_count": 0,
            "extension_count": 0,
            "version": 1,
        }
        matter_id = self._insert(cur, t["Matter"], matter, returning="id")
        event = {
            "matter_id": matter_id,
            "action": "submit",
            "from_status": "",
            "to_status": "submitted",
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "at": now,
            "note": "",
            "data": {"channel": CHANNEL},
        }
        self._insert(cur, t["MatterEvent"], event)
        state = {
            "matter_id": matter_id,
            "due_unit_id": 0,
            "due_closed": False,
            "due_closed_on_time": False,
            "due_suspended": False,
            "contacted": False,
            "suspended_seconds": 0,
        }
        self._insert(cur, t["MatterRollupState"], state)
        self._count_created(cur, s, day, level_paths(s.area_path))
        audit = {
            "at": now,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": "matter.create",
            "object_type": "matters.matter",
            "object_id": str(matter_id),
            "object_repr": f"{number} {title}"[:255],
            "area_path": s.area_path,
            "after": {"number": number, "category": s.category_code, "channel": CHANNEL},
            "note": "",
            "request_id": request_id,
            "ip": ip,
        }
        self._insert(cur, t["AuditEvent"], audit)
        return int(matter_id)

    def _count_created(
        self, cur: Any, s: Sample, day: dt.date, levels: list[tuple[str, int]]
    ) -> None:
        """created += 1 on the matter's day for each level of its area (one upsert, key order)."""
        table = self.t["MatterAreaDay"]
        cols = ["area_path", "day", "category_id", "depth", *self.counters]
        one = "(" + ", ".join([self.ph] * len(cols)) + ")"
        params: list[Any] = []
        for path, depth in sorted(levels):
            params += [path, self._v(day), s.category_id, depth]
            params += [int(c == "created") for c in self.counters]
        cur.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES {', '.join([one] * len(levels))} "
            f"ON CONFLICT (area_path, day, category_id) "
            f"DO UPDATE SET created = {table}.created + excluded.created",
            params,
        )


def _connect(database_url: str) -> tuple[Any, Callable[[Any], None]]:
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


def _sql_load(
    database_url: str,
    writer: SqlWriter,
    samples: list[Sample],
    dues: dict[int, tuple[dt.datetime, dt.datetime]],
    *,
    clients: int,
    window: Window,
) -> tuple[list[Record], list[str]]:
    """``clients`` threads, each with its own connection, writing one matter per transaction."""
    records: list[Record] = []
    errors: list[str] = []
    lock = threading.Lock()

    def run(k: int) -> None:
        conn, begin = _connect(database_url)
        mine: list[Record] = []
        i = k
        try:
            while time.monotonic() < window.start:
                time.sleep(0.001)
            while (t0 := time.monotonic()) < window.stop:
                s = samples[i % len(samples)]
                i += clients
                now = dt.datetime.now(dt.UTC)
                base, due = dues[s.category_id]
                if s.dispatch_limit[1] == "h":  # clock hours move with now; working days do not
                    due = due + (now - base)
                try:
                    cur = conn.cursor()
                    begin(cur)
                    writer.write(
                        cur,
                        s,
                        now=now,
                        dispatch_due=due,
                        request_id=uuid.uuid4().hex,
                        ip="127.0.0.1",
                    )
                    conn.commit()
                    outcome = OK
                except Exception as exc:  # counted and reported, never hidden
                    with contextlib.suppress(Exception):
                        conn.rollback()
                    outcome = type(exc).__name__
                    with lock:
                        if len(errors) < 5:
                            errors.append(f"{outcome}: {exc}")
                mine.append((t0, time.monotonic(), outcome))
        finally:
            conn.close()
            with lock:
                records.extend(mine)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return records, errors


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
        conn, _ = _connect(self.url)
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


# The load through the API ---------------------------------------------------------------------


def _api_client(
    port: int, token: str, bodies: list[bytes], k: int, step: int, window: Window, out: Any
) -> None:
    """One client process: POST matters over one http.client connection until the window ends.
    (Gunicorn's sync workers close the connection after each response; http.client reopens it.)"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    records: list[Record] = []
    errors: list[str] = []
    i = k
    while time.monotonic() < window.start:
        time.sleep(0.001)
    while (t0 := time.monotonic()) < window.stop:
        body = bodies[i % len(bodies)]
        i += step
        try:
            conn.request("POST", API_PATH, body, headers)
            resp = conn.getresponse()
            data = resp.read()
            outcome = OK if resp.status == 201 else str(resp.status)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            outcome, data = type(exc).__name__, str(exc).encode()
        records.append((t0, time.monotonic(), outcome))
        if outcome != OK and len(errors) < 3:
            errors.append(f"{outcome}: {data[:300].decode(errors='replace')}")
    conn.close()
    out.put((records, errors))


def _api_load(
    port: int,
    token: str,
    samples: list[Sample],
    *,
    clients: int,
    window: Window,
    during: contextlib.AbstractContextManager[Any] | None = None,
) -> tuple[list[Record], list[str]]:
    """``clients`` processes (forked: nothing to import) POSTing matters; ``during`` is entered
    once they run (a sampling thread must not exist when they fork)."""
    from django.db import connections

    connections.close_all()  # no connection shared with forked children
    fork = mp.get_context("fork")
    out = fork.Queue()
    bodies = [s.body() for s in samples]
    procs = [
        fork.Process(target=_api_client, args=(port, token, bodies, k, clients, window, out))
        for k in range(clients)
    ]
    for p in procs:
        p.start()
    records: list[Record] = []
    errors: list[str] = []
    try:
        with during or contextlib.nullcontext():
            for _ in procs:
                got_records, got_errors = out.get(timeout=window.stop - time.monotonic() + 120)
                records += got_records
                errors += got_errors
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    return records, errors


@dataclass
class Summary:
    ok: int
    rate: float  # successes completed inside the timed window per second
    p50: float
    p99: float
    failures: Counter[str] = field(default_factory=Counter)  # over the whole run

    @classmethod
    def of(cls, records: list[Record], window: Window) -> Summary:
        timed = [r for r in records if window.timed <= r[0] < window.stop]
        done = sum(1 for r in records if r[2] == OK and window.timed <= r[1] <= window.stop)
        ms = [(r[1] - r[0]) * 1000 for r in timed]
        return cls(
            ok=sum(1 for r in records if r[2] == OK),
            rate=done / (window.stop - window.timed),
            p50=percentile(ms, 50),
            p99=percentile(ms, 99),
            failures=Counter(r[2] for r in records if r[2] != OK),
        )


# The server ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_env(database_url: str) -> dict[str, str]:
    """Production settings: DEBUG off, a real secret, this process's code, home and var."""
    from django.conf import settings

    import zhili

    env = {k: v for k, v in os.environ.items() if k not in {"ZHILI_TESTING", "DEBUG"}}
    src = str(Path(zhili.__file__).resolve().parents[1])
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        ZHILI_HOME=str(settings.PROJECT_DIR),
        ZHILI_VAR=str(settings.VAR_DIR),
        PYTHONPATH=os.pathsep.join(p for p in (src, env.get("PYTHONPATH", "")) if p),
    )
    return env


@dataclass
class Server:
    port: int
    pid: int
    log: Path

    def workers(self) -> list[int]:
        found = []
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    if ppid == self.pid:
                        found.append(int(d.name))
        return sorted(found)

    def log_errors(self, limit: int = 5) -> list[str]:
        """The last lines of exceptions the workers logged (a 500's cause)."""
        lines = self.log.read_text(errors="replace").splitlines() if self.log.exists() else []
        hits = [ln.strip() for ln in lines if "Error" in ln or "error" in ln]
        return list(dict.fromkeys(hits))[-limit:]


def _status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int, log: Path) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on a free port, stopped (its process group) after."""
    port = _free_port()
    argv = [sys.executable, "-m", "gunicorn", "zhili.wsgi:application"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60"]
    env = _server_env(database_url)
    with log.open("ab") as out:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=env["ZHILI_HOME"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port, proc.pid, log)
    try:
        _wait_ready(server, proc, workers)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _wait_ready(server: Server, proc: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(server.workers()) >= workers:
                return
        time.sleep(0.2)
    tail = server.log.read_text(errors="replace")[-2000:] if server.log.exists() else ""
    raise RuntimeError(f"gunicorn did not answer /healthz:\n{tail}")


BASELINE = """
from django.urls import resolve
from zhili.wsgi import application
resolve("{path}")
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        print(line.split()[1])
"""


def _idle_app_kb(database_url: str) -> int:
    """Peak RSS of a process that loads the WSGI application and its URLs and serves nothing."""
    env = _server_env(database_url)
    done = subprocess.run(
        [sys.executable, "-c", BASELINE.format(path=API_PATH)],
        env=env,
        cwd=env["ZHILI_HOME"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1])


# One request in-process, profiled ----------------------------------------------------------------

WATCH = {
    "matter_create": "services.py",
    "next_number": "services.py",
    "rule_unit": "routing.py",
    "record": "rollups.py",
    "audit_record": "audit.py",
    "token_authenticate": "services.py",
    "matter_out": "presenters.py",
    "_execute": "utils.py",  # django.db.backends.utils: every query, driver included
}


def profile_requests(token: str, samples: list[Sample], n: int) -> dict[str, Any]:
    """``n`` API intakes through Django's full stack in this process (DEBUG off): wall time per
    request, queries per request, then the same under cProfile and where its time goes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")

    def post(s: Sample) -> None:
        resp = client.post(API_PATH, s.body(), content_type="application/json")
        if resp.status_code != 201:
            raise RuntimeError(f"API intake answered {resp.status_code}: {resp.content[:300]!r}")

    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"]):
        post(samples[0])  # warm: URLs, caches
        queries: list[str] = []

        def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(spy):
            post(samples[1 % len(samples)])
        start = time.perf_counter()
        for i in range(n):
            post(samples[i % len(samples)])
        wall_ms = (time.perf_counter() - start) * 1000 / n
        prof = cProfile.Profile()
        prof.enable()
        for i in range(n):
            post(samples[i % len(samples)])
        prof.disable()
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    per_call: dict[str, float] = dict.fromkeys(WATCH, 0.0)
    for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in raw.items():
        if WATCH.get(name) and file.endswith(WATCH[name]):
            per_call[name] += ct * 1000 / n
    top = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:10]
    return {
        "requests": n,
        "wall_ms_per_request": round(wall_ms, 2),
        "queries_per_request": len(queries),
        "queries": [q[:120] for q in queries],
        "profiled_ms_per_request": round(total * 1000 / n, 2),
        "cumulative_ms_per_request": {k: round(v, 2) for k, v in per_call.items()},
        "top_self_ms_per_request": [
            {"function": f"{Path(f).name}:{ln} {name}", "ms": round(v[2] * 1000 / n, 3)}
            for (f, ln, name), v in top
        ],
    }


# Cleaning up -------------------------------------------------------------------------------------


def remove_matters(*, after_id: int, user_id: int) -> int:
    """Delete the matters the run added (id above ``after_id``, created by the bench user), their
    events and rollup state, and take them out of the area rollups (the app's own upsert, with
    negative counts); rollup rows left all zero are deleted."""
    from django.db import transaction
    from django.db.models import Q
    from django.utils import timezone

    from zhili.matters import rollups
    from zhili.matters.models import ROLLUP_COUNTERS, Matter, MatterAreaDay

    mine = Matter.objects.filter(pk__gt=after_id, created_by_id=user_id, channel=CHANNEL)
    with transaction.atomic():
        d = rollups.Deltas()
        for path, cat, at in mine.values_list("area_path", "category_id", "created_at"):
            day = timezone.localdate(at)
            for level, depth in rollups.level_paths(path):
                d.area[(level, day, cat, depth)]["created"] -= 1
        rollups.flush(d)
        # Rows now all zero held only this run's matters; look them up by key, not by scanning.
        zero = Q(**{c: 0 for c in ROLLUP_COUNTERS})
        touched: dict[dt.date, set[str]] = {}
        for path, day, _cat, _depth in d.area:
            touched.setdefault(day, set()).add(path)
        for day, paths in touched.items():
            ordered = sorted(paths)
            for i in range(0, len(ordered), 500):
                chunk = ordered[i : i + 500]
                MatterAreaDay.objects.filter(zero, day=day, area_path__in=chunk).delete()
        removed, _ = mine.delete()
    return removed


# The measure -------------------------------------------------------------------------------------


def _ms(v: float) -> float:
    return round(v, 2)


@dataclass
class Found:
    """What one run measured, before it becomes figures."""

    run: dict[str, Any]
    api: Summary
    sql: Summary
    api_errors: list[str]
    sql_errors: list[str]
    profile: dict[str, Any]
    waits: dict[str, Any] | None
    worker_kb: dict[int, int]
    master_kb: int
    idle_kb: int


def measure_intake(
    ctx: BenchContext, *, seconds: float = 30, clients: int = 8, workers: int = 4
) -> list[Figure]:
    """Figures "intake" (matters/s, p50, p99, each beside plain SQL) and "memory" (worker RSS)."""
    import dj_database_url
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from zhili.core.workdays import add_limit
    from zhili.matters.models import Matter
    from zhili.org.models import User
    from zhili.org.services import token_create, token_revoke

    if dj_database_url.parse(ctx.database_url)["NAME"] != settings.DATABASES["default"]["NAME"]:
        raise RuntimeError("measure_intake must run with Django connected to ctx.database_url")
    warmup, n_samples, n_profile = 3.0, 1024, 200
    if ctx.quick:
        seconds, clients, workers = min(seconds, 1.5), 2, 1
        warmup, n_samples, n_profile = 0.5, 64, 10
    run: dict[str, Any] = {"seconds": seconds, "clients": clients, "workers": workers}
    run |= {"warmup": warmup, "loadavg_1m_before": round(os.getloadavg()[0], 2)}
    user = User.objects.get(username=ctx.users["city"])
    samples = pick_samples(n_samples)
    after_id = Matter.objects.aggregate(top=Max("pk"))["top"] or 0
    token, raw = token_create(actor=None, user=user, name="bench intake")
    log = Path(tempfile.mkstemp(prefix="zhili-bench-gunicorn-", suffix=".log")[1])
    try:
        ctx.say(f"intake: profiling {n_profile} API requests in-process")
        profile = profile_requests(raw, samples, n_profile)
        ctx.say(f"intake: gunicorn {workers} workers, {clients} clients, {seconds:g} s")
        with gunicorn(ctx.database_url, workers=workers, log=log) as server:
            window = Window.after(0.5, warmup, seconds)
            sampler = PgWaits(ctx.database_url) if connection.vendor == "postgresql" else None
            api_records, api_errors = _api_load(
                server.port, raw, samples, clients=clients, window=window, during=sampler
            )
            api = Summary.of(api_records, window)
            worker_kb = {pid: _status_kb(pid, "VmHWM") for pid in server.workers()}
            master_kb = _status_kb(server.pid, "VmRSS")
            if api.failures:
                api_errors += server.log_errors()
                run["server_log"] = str(log)
        idle_kb = _idle_app_kb(ctx.database_url)
        ctx.say(f"intake: plain SQL, {clients} connections, {seconds:g} s")
        base = dt.datetime.now(dt.UTC)
        dues = {s.category_id: (base, add_limit(base, *s.dispatch_limit)) for s in samples}
        writer = SqlWriter(connection.vendor, actor_id=user.pk, actor_name=user.username)
        window_sql = Window.after(0.2, warmup, seconds)
        sql_records, sql_errors = _sql_load(
            ctx.database_url, writer, samples, dues, clients=clients, window=window_sql
        )
        sql = Summary.of(sql_records, window_sql)
    finally:
        removed = remove_matters(after_id=after_id, user_id=user.pk)
        token_revoke(actor=user, token=token)
        if "server_log" not in run:
            log.unlink(missing_ok=True)
        ctx.say(f"intake: removed the {removed} rows the run added (audit events stay)")
    waits = sampler.summary() if sampler else None
    found = Found(
        run, api, sql, api_errors, sql_errors, profile, waits, worker_kb, master_kb, idle_kb
    )
    return [*_intake_figures(ctx, found), _memory_figure(found)]


def _intake_figures(ctx: BenchContext, f: Found) -> list[Figure]:
    run, api, sql, profile = f.run, f.api, f.sql, f.profile
    setup = (
        f"{run['clients']} client processes → gunicorn {run['workers']} sync workers "
        f"({run['seconds']:g} s after {run['warmup']:g} s warm-up)"
    )
    errors = "no errors"
    if api.failures or sql.failures:
        errors = f"ERRORS api {dict(api.failures)} sql {dict(sql.failures)}: " + " | ".join(
            (f.api_errors + f.sql_errors)[:4]
        )
    cum = profile["cumulative_ms_per_request"]
    where = (
        f"one request in-process {profile['wall_ms_per_request']} ms, "
        f"{profile['queries_per_request']} queries (DB {cum['_execute']:.2f} ms, "
        f"matter_create {cum['matter_create']:.2f} ms under cProfile)"
    )
    if f.waits and f.waits["top"]:
        where += f"; PostgreSQL backends during the load: {f.waits['top'][0]}"
    extra = {
        "db": ctx.db,
        **run,
        "api": {"ok": api.ok, "failures": dict(api.failures), "errors": f.api_errors},
        "sql": {"ok": sql.ok, "failures": dict(sql.failures), "errors": f.sql_errors},
        "profile": profile,
        "pg_waits": f.waits,
    }
    return [
        Figure(
            "intake",
            "API matters/s",
            round(api.rate, 1),
            "matters/s",
            better="higher",
            limit=round(sql.rate, 1),
            limit_name=f"plain SQL, {run['clients']} connections, 1 transaction per matter",
            target=TARGET_RATE,
            target_text="≥ 1,000 matters/s",
            note=f"{setup}; {errors}; {where}",
            extra=extra,
        ),
        Figure(
            "intake",
            "API latency p50",
            _ms(api.p50),
            "ms",
            limit=_ms(sql.p50),
            limit_name="plain SQL transaction p50",
        ),
        Figure(
            "intake",
            "API latency p99",
            _ms(api.p99),
            "ms",
            limit=_ms(sql.p99),
            limit_name="plain SQL transaction p99",
        ),
    ]


def _memory_figure(f: Found) -> Figure:
    peak = max(f.worker_kb.values(), default=0) / 1024
    return Figure(
        "memory",
        f"peak RSS of a worker (max of {len(f.worker_kb)}) after the intake load",
        round(peak, 1),
        "MB",
        limit=round(f.idle_kb / 1024, 1),
        limit_name="same app imported, URLs loaded, nothing served",
        target=TARGET_RSS_MB,
        target_text="≤ 250 MB",
        note=f"VmHWM per worker (MB): {[round(v / 1024, 1) for v in f.worker_kb.values()]}; "
        f"master RSS {f.master_kb / 1024:.1f} MB",
        extra={"worker_hwm_kb": f.worker_kb, "master_rss_kb": f.master_kb, "idle_kb": f.idle_kb},
    )
