"""Item 8 of issue 18: after kill -9 of the gunicorn master, `zhili serve` restarts on the same
address. Its orphaned workers still hold the listening socket (a sync worker notices its parent
is gone only at its next wake-up, up to half the timeout later); the new `zhili serve` stops them
and binds (core/management/commands/serve.py). A real server subprocess, no database tables
needed (/healthz runs SELECT 1)."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
ZHILI = Path(sys.executable).parent / "zhili"

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="需要 Linux 的 /proc")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry.name))
    return out


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (reaped later by init) is not serving.
    with contextlib.suppress(OSError):
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) != "Z"
    return False


def wait_for(condition: Any, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def booted(proc: subprocess.Popen[bytes], tmp: Path, port: int, timeout: float = 90) -> bool:
    """The new master has written its pidfile and started its workers (the old workers would
    answer /healthz too while it boots: the socket is shared)."""
    pidfile = tmp / "run" / f"serve-{port}.pid"

    def ready() -> bool:
        with contextlib.suppress(OSError, ValueError):
            return int(pidfile.read_text().strip()) == proc.pid and bool(children(proc.pid))
        return False

    return wait_for(ready, timeout)


def healthy(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/healthz", timeout=2) as resp,
        ):
            if resp.status == 200:
                return True
        time.sleep(0.2)
    return False


def server_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ZHILI_TESTING", "DATABASE_URL"}}
    env.update(
        {
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p
            ),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "ZHILI_VAR": str(tmp),
            "ZHILI_HOME": str(ROOT),
            "DATABASE_URL": f"sqlite:///{tmp / 'zhili.sqlite3'}",
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for proc in procs:  # each in a session of its own: stop the whole group
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


def serve(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(ZHILI), "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def test_serve_restarts_on_the_same_port_after_kill_9_of_the_master(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]]
) -> None:
    env, log, port = server_env(tmp_path), tmp_path / "serve.log", free_port()
    url = f"http://127.0.0.1:{port}"
    first = serve(port, env, log)
    spawned.append(first)
    assert healthy(url), log.read_text()[-3000:]
    workers = children(first.pid)
    assert workers, "gunicorn 没有工作进程"

    os.kill(first.pid, signal.SIGKILL)  # the master only: its workers are orphaned
    first.wait(timeout=10)
    assert any(alive(w) for w in workers), "工作进程已随主进程退出：无法复现孤儿进程占用端口"

    second = serve(port, env, log)
    spawned.append(second)
    assert booted(second, tmp_path, port), log.read_text()[-3000:]
    assert healthy(url), log.read_text()[-3000:]
    assert second.poll() is None
    assert not any(alive(w) for w in workers), "上次留下的工作进程仍在运行"
    assert "已停止上次异常退出留下的进程" in log.read_text()
    assert children(second.pid)  # the new master's own workers serve


def test_a_second_serve_leaves_a_live_server_alone(
    tmp_path: Path, spawned: list[subprocess.Popen[bytes]]
) -> None:
    env, log, port = server_env(tmp_path), tmp_path / "serve.log", free_port()
    first = serve(port, env, log)
    spawned.append(first)
    assert healthy(f"http://127.0.0.1:{port}"), log.read_text()[-3000:]
    workers = children(first.pid)
    second = serve(port, env, log)
    spawned.append(second)
    assert second.wait(timeout=120) != 0  # gunicorn refuses: already running (pidfile)
    assert first.poll() is None and all(alive(w) for w in workers)
