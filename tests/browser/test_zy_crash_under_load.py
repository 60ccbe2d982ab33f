"""Crash safety (issue 18, "Also"): intake under load while gunicorn workers and then the master
are killed with SIGKILL; a client retries with the same Idempotency-Key until it gets an
answer, as a careful client does. Every acknowledged matter is in the database exactly once,
and no request filed twice. On the browser tests' database (SQLite in WAL mode, or PostgreSQL
when DATABASE_URL is), with a `zhili serve` of its own; about a minute.

It lives with the browser tests for their loaded database (the tree and the demo accounts); it
starts and kills its own server, not theirs."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ZHILI = Path(sys.executable).parent / "zhili"
sys.path.insert(0, str(ROOT))
from tests.crash.test_serve_restart import (  # noqa: E402
    booted,
    children,
    free_port,
    healthy,
    serve,
    server_env,
)

LOAD_SECONDS = 30
CLIENTS = 6
MIN_ACKED = 20
MIN_KILLS = 5
GRID = "500103003013001"

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="需要 Linux 的 /proc")


def token_for(username: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(ZHILI), "token", "create", username, "--name", "crash"],
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def post(url: str, token: str, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{url}/api/v1/matters",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as err:
        return err.code, {}


def rows_by_description(database: str, prefix: str) -> list[tuple[str, str]]:
    sql = "SELECT number, description FROM matters_matter WHERE description LIKE %s"
    if database.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(database.removeprefix("sqlite:///"))) as conn:
            return conn.execute(sql.replace("%s", "?"), (prefix + "%",)).fetchall()
    import psycopg

    with psycopg.connect(database.replace("postgres://", "postgresql://", 1)) as conn:
        return [tuple(r) for r in conn.execute(sql, (prefix + "%",)).fetchall()]  # type: ignore[misc]


def server_lines(log: Path) -> str:
    """The server's own lines (not the access log), for a failure message."""
    lines = [x for x in log.read_text(errors="replace").splitlines() if '" 20' not in x]
    return "\n".join(lines[-60:])


def test_no_acknowledged_matter_is_lost_or_doubled_when_processes_are_killed(
    server: str, e2e_database: str, tmp_path: Path
) -> None:
    env = server_env(tmp_path)
    env["DATABASE_URL"] = e2e_database
    env["WEB_CONCURRENCY"] = "3"
    env["ZHILI_OTP_REQUIRED"] = "0"
    token = token_for("jiefangbei", env)
    port, log = free_port(), tmp_path / "serve.log"
    url = f"http://127.0.0.1:{port}"
    procs = [serve(port, env, log)]
    assert booted(procs[0], tmp_path, port) and healthy(url), server_lines(log)

    run = uuid.uuid4().hex[:8]
    prefix = f"压测-{run}-"
    acked: dict[str, str] = {}  # key -> number
    sent: set[str] = set()
    errors: list[str] = []
    stop = threading.Event()
    lock = threading.Lock()

    def file_one(key: str) -> None:
        body = {"category": "streetlight", "area": GRID, "description": f"{prefix}{key}"}
        for _ in range(200):  # retry with the same key until answered
            try:
                status, data = post(url, token, key, body)
            except (OSError, ValueError):
                status, data = 0, {}
            if status == 201:
                with lock:
                    acked[key] = data["number"]
                return
            if status not in (0, 409, 500, 502, 503):
                with lock:
                    errors.append(f"{key}: {status} {data}")
                return
            time.sleep(0.2)
        with lock:
            errors.append(f"{key}: no answer after retries")

    def client() -> None:
        while not stop.is_set():
            key = uuid.uuid4().hex
            with lock:
                sent.add(key)
            file_one(key)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    kills = {"workers": 0, "masters": 0}

    def kill_workers_until(deadline: float, enough: int = 0) -> None:
        """Kill a worker of the live master every few seconds until the deadline has passed, and
        on (up to 2 min more on a slow machine) until `enough` requests were answered and 5
        workers killed. A worker is killed only after a request was answered since the last kill:
        a fresh worker takes seconds to start on a loaded machine, and killing them faster than
        they start tests starvation, not crash safety (in CI, the restarted server answered
        nothing for the whole second half)."""
        cap, answered = deadline + 120, len(acked)
        while time.monotonic() < cap and (
            time.monotonic() < deadline or len(acked) < enough or kills["workers"] < MIN_KILLS
        ):
            time.sleep(random.uniform(1.5, 3))
            if len(acked) == answered:
                continue
            answered = len(acked)
            workers = children(procs[-1].pid)
            if workers:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(random.choice(workers), signal.SIGKILL)
                    kills["workers"] += 1

    try:
        kill_workers_until(time.monotonic() + LOAD_SECONDS / 2)
        os.kill(procs[-1].pid, signal.SIGKILL)  # the master: restart as systemd would
        procs[-1].wait(timeout=10)
        kills["masters"] += 1
        procs.append(serve(port, env, log))
        # Under load (the orphans still serving) the new server takes longer to boot.
        assert booted(procs[-1], tmp_path, port, timeout=240), server_lines(log)
        before_restart = len(acked)
        # The load's second half is timed from the new server's start, not from the kill.
        kill_workers_until(
            time.monotonic() + LOAD_SECONDS / 2, enough=before_restart + MIN_ACKED // 2
        )
        after_restart = len(acked) - before_restart
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

    assert not errors, errors[:10]
    assert kills["workers"] >= MIN_KILLS and kills["masters"] == 1
    assert len(acked) >= MIN_ACKED, f"负载太小：{len(acked)} 件"
    assert after_restart >= MIN_ACKED // 2, f"重启后只受理了 {after_restart} 件"
    rows = rows_by_description(e2e_database, prefix)
    by_key: dict[str, list[str]] = {}
    for number, description in rows:
        by_key.setdefault(description.removeprefix(prefix), []).append(number)
    lost = [k for k in acked if k not in by_key]
    doubled = {k: v for k, v in by_key.items() if len(v) > 1}
    wrong = [k for k, n in acked.items() if by_key.get(k) and by_key[k][0] != n]
    stray = [k for k in by_key if k not in sent]
    assert (lost, doubled, wrong, stray) == ([], {}, [], [])
    assert set(by_key) == set(acked)  # every sent request was answered in the end
    print(f"acked {len(acked)} ({after_restart} after the restart), kills {kills}")
