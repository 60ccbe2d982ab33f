"""`zhili serve`: the production-style server (gunicorn workers, static files by WhiteNoise).

A restart after the master was killed (kill -9, OOM) works on the same address (issue 18, item
8): gunicorn writes its master's pid to ``$ZHILI_VAR/run/serve-<port>.pid``; when that master is
gone, the workers it left behind (the same command line, still holding the socket) are stopped
before the new master binds (not SO_REUSEPORT: with it gunicorn 27 gives every worker a socket
of its own, and a killed worker takes its queued connections with it). Under systemd
(``deploy/systemd/zhili-web.service``, ``KillMode=control-group``) the whole group is stopped
anyway."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

APP = "zhili.wsgi:application"


def pidfile_for(port: int) -> Path:
    return Path(settings.VAR_DIR) / "run" / f"serve-{port}.pid"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def _parent(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def leftovers(bind: str, *, exclude: int | None = None) -> list[int]:
    """Processes running this very server command (gunicorn, this app, this address): after its
    master died, its orphaned workers. Linux (/proc); elsewhere none are found."""
    found: list[int] = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) in (os.getpid(), exclude):
            continue
        args = _cmdline(int(entry.name))
        if "gunicorn" in " ".join(args[:3]) and APP in args and bind in args:
            found.append(int(entry.name))
    return found


def clear_stale(pidfile: Path, bind: str, *, wait: float = 10.0) -> list[int]:
    """When the recorded master is dead, stop what it left holding the socket; returns the pids
    stopped. A live master is left alone (gunicorn then refuses to start twice)."""
    try:
        master = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        master = 0
    if master and _alive(master) and APP in _cmdline(master):
        return []
    stale = leftovers(bind)
    if any(_parent(pid) in stale for pid in stale):
        return []  # a live master with its workers (started without our pidfile): not ours
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in stale:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait / 2
        while time.monotonic() < deadline and any(_alive(p) for p in stale):
            time.sleep(0.1)
        if not any(_alive(p) for p in stale):
            break
    pidfile.unlink(missing_ok=True)
    return stale


class Command(BaseCommand):
    help = "启动 Web 服务（gunicorn），默认 127.0.0.1:$PORT"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{opts['host']}:{opts['port']}"
        pidfile = pidfile_for(opts["port"])
        pidfile.parent.mkdir(parents=True, exist_ok=True)
        stopped = clear_stale(pidfile, bind)
        if stopped:
            self.stdout.write(f"已停止上次异常退出留下的进程：{', '.join(map(str, stopped))}")
        self.stdout.write(f"治理 Zhili 正在 http://{bind} 提供服务（Ctrl+C 停止）")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            APP,
            "--bind",
            bind,
            "--workers",
            str(opts["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
            "--pid",
            str(pidfile),
        ]
        os.execv(sys.executable, argv)
