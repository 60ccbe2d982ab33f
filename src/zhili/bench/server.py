"""The application served as production serves it (gunicorn sync workers, DEBUG off), started on
a free port and stopped with its process group; and the memory of its processes."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str) -> dict[str, str]:
    """Production settings: DEBUG off, a real secret, this process's code, home and var."""
    from django.conf import settings

    import zhili

    env = {k: v for k, v in os.environ.items() if k not in {"ZHILI_TESTING", "DEBUG"}}
    src = str(Path(zhili.__file__).resolve().parents[1])
    env.update(
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(48),
        # The personal fields it writes are sealed with the bench's own field key (else derived
        # from the random SECRET_KEY above: a later ``--reuse`` could not read its matters).
        ZHILI_FIELD_KEY=settings.ZHILI_FIELD_KEY or f"secret-key:{settings.SECRET_KEY}",
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


def status_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int, log: Path) -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on a free port, stopped (its process group) after."""
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "zhili.wsgi:application"]
    argv += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60"]
    env = server_env(database_url)
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


def idle_app_kb(database_url: str, path: str) -> int:
    """Peak RSS of a process that loads the WSGI application, resolves ``path`` (so its URLs and
    views are imported) and serves nothing."""
    env = server_env(database_url)
    done = subprocess.run(
        [sys.executable, "-c", BASELINE.format(path=path)],
        env=env,
        cwd=env["ZHILI_HOME"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.split()[-1])
