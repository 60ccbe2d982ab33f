"""``zhili backup FILE.tar.gz``: the database and the attachment store in one archive.

SQLite is copied with its online backup API (a consistent copy while the server runs);
PostgreSQL with ``pg_dump --format=custom``. The media folder (attachments, evidence,
boundaries) goes in as it is. ``zhili restore`` puts both back."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_env() -> dict[str, str]:
    cfg = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if cfg.get(name):
            env[key] = str(cfg[name])
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])
    return env


class Command(BaseCommand):
    help = "备份数据库和附件库到一个 .tar.gz 文件"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="备份文件（.tar.gz）")

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        target = Path(path)
        if target.exists():
            raise CommandError(f"{target} 已存在，请换一个文件名")
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            vendor = connection.vendor
            if vendor == "sqlite":
                dump = work / "database.sqlite3"
                connection.ensure_connection()
                out = sqlite3.connect(dump)
                connection.connection.backup(out)
                out.close()
            elif vendor == "postgresql":
                dump = work / "database.dump"
                done = subprocess.run(
                    ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump),
                     connection.settings_dict["NAME"]],
                    env=pg_env(), capture_output=True, text=True,
                )  # fmt: skip
                if done.returncode:
                    raise CommandError(f"pg_dump 失败：{done.stderr.strip()[-500:]}")
            else:
                raise CommandError(f"不支持的数据库：{vendor}")
            manifest = {
                "vendor": vendor,
                "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": dump.name,
            }
            (work / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            media = Path(settings.MEDIA_ROOT)
            with tarfile.open(target, "w:gz") as tar:
                tar.add(work / "manifest.json", arcname="manifest.json")
                tar.add(dump, arcname=dump.name)
                if media.is_dir():
                    tar.add(media, arcname="media")
        self.stdout.write(f"已备份（{vendor}，含附件库）到 {target}")
