"""`zhili serve`: the production-style server (gunicorn workers, static files by WhiteNoise)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务（gunicorn），默认 127.0.0.1:$PORT"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{opts['host']}:{opts['port']}"
        self.stdout.write(f"治理 Zhili 正在 http://{bind} 提供服务（Ctrl+C 停止）")
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "zhili.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(opts["workers"]),
            "--access-logfile",
            "-",
            "--timeout",
            "60",
        ]
        os.execv(sys.executable, argv)
