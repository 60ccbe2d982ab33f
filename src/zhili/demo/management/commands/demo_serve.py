"""`zhili demo_serve`: the web server and the background worker together, for `make demo`.

The worker (`zhili worker`) runs in a child process for as long as the web server (`zhili serve`)
does; when the server exits — Ctrl+C, SIGTERM or a crash — the worker is stopped too.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand

ZHILI = [sys.executable, "-m", "zhili.cli"]


class Command(BaseCommand):
    help = "同时启动 Web 服务和后台任务进程（演示用）；Web 服务退出时一并停止后台任务进程"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("serve_args", nargs="*", help="传给 zhili serve 的参数，如 --port 8080")

    def handle(self, *args: Any, **opts: Any) -> None:
        worker = subprocess.Popen([*ZHILI, "worker"])
        self.stdout.write(f"后台任务进程已启动（pid {worker.pid}）")
        web: subprocess.Popen[bytes] | None = None

        def stop_web(signum: int, frame: Any) -> None:
            if web is not None and web.poll() is None:
                web.send_signal(signum)

        previous = signal.signal(signal.SIGTERM, stop_web)
        try:
            web = subprocess.Popen([*ZHILI, "serve", *opts["serve_args"]])
            while True:
                try:
                    web.wait()
                    break
                except KeyboardInterrupt:  # Ctrl+C reached the server too; wait for it
                    continue
        finally:
            signal.signal(signal.SIGTERM, previous)
            if web is not None and web.poll() is None:
                web.terminate()
                web.wait(timeout=30)
            if worker.poll() is None:
                worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
            self.stdout.write("Web 服务与后台任务进程均已停止")
