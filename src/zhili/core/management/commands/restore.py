"""``zhili restore FILE.tar.gz --yes``: put back the database and the attachment store of a
``zhili backup`` archive, replacing what is there. Stop the server and the worker first."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from zhili.core.management.commands.backup import pg_env


class Command(BaseCommand):
    help = "从 zhili backup 的备份文件恢复数据库和附件库（覆盖现有数据）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="备份文件（.tar.gz）")
        parser.add_argument("--yes", action="store_true", help="确认覆盖现有数据")

    def handle(self, *args: Any, path: str, yes: bool, **options: Any) -> None:
        if not yes:
            raise CommandError("恢复会覆盖现有数据库和附件库：确认请加 --yes")
        with tempfile.TemporaryDirectory() as tmp, tarfile.open(path, "r:gz") as tar:
            work = Path(tmp)
            tar.extractall(work, filter="data")
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
            if manifest["vendor"] != connection.vendor:
                raise CommandError(
                    f"备份来自 {manifest['vendor']}，当前数据库是 {connection.vendor}"
                )
            dump = work / manifest["database"]
            if connection.vendor == "sqlite":
                source = sqlite3.connect(dump)
                connection.ensure_connection()
                source.backup(connection.connection)
                source.close()
            else:
                connection.close()
                done = subprocess.run(
                    ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                     "--dbname", connection.settings_dict["NAME"], str(dump)],
                    env=pg_env(), capture_output=True, text=True,
                )  # fmt: skip
                if done.returncode:
                    raise CommandError(f"pg_restore 失败：{done.stderr.strip()[-500:]}")
            media = Path(settings.MEDIA_ROOT)
            if (work / "media").is_dir():
                shutil.rmtree(media, ignore_errors=True)
                shutil.copytree(work / "media", media)
        self.stdout.write(f"已从 {path} 恢复数据库和附件库")
