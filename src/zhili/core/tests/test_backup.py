"""``zhili backup`` / ``zhili restore`` round trip (issue 18, "Also"): on a copy of the test
database (SQLite or PostgreSQL, as the run), a matter and a file written after the backup are
gone after the restore, and everything before it is back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zhili.bench.tests.test_intake import database_copy  # noqa: F401  (a fixture)

ROUND_TRIP = """
import json, sys, django
django.setup()
from pathlib import Path
from django.conf import settings
from django.core.management import call_command
from zhili.core.models import AuditEvent
from zhili.matters.models import Matter
from zhili.testing.factories import make_matter

archive = sys.argv[1]
media = Path(settings.MEDIA_ROOT)
media.mkdir(parents=True, exist_ok=True)
(media / "kept.txt").write_text("before")
before = {"matters": Matter.objects.count(), "audit": AuditEvent.objects.count()}
call_command("backup", archive)
make_matter("jiefangbei", description="备份之后登记的诉求")
(media / "later.txt").write_text("after")
(media / "kept.txt").write_text("changed")
changed = Matter.objects.count()
call_command("restore", archive, yes=True)
from django.db import connection
connection.close()
after = {"matters": Matter.objects.count(), "audit": AuditEvent.objects.count()}
print(json.dumps({
    "before": before, "changed": changed, "after": after,
    "later": (media / "later.txt").exists(), "kept": (media / "kept.txt").read_text(),
    "gone": not Matter.objects.filter(description="备份之后登记的诉求").exists(),
}))
"""


@pytest.mark.django_db
def test_restore_needs_a_confirmation(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("restore", str(tmp_path / "none.tar.gz"))


def test_backup_and_restore_round_trip(
    database_copy: tuple[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    url, _ = database_copy
    env = {**os.environ, "DATABASE_URL": url, "ZHILI_VAR": str(tmp_path / "var"), "DEBUG": "1"}
    env["ZHILI_MEDIA_ROOT"] = str(tmp_path / "media")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*sys.path, env.get("PYTHONPATH", "")) if p)
    env.pop("ZHILI_TESTING", None)
    archive = str(tmp_path / "zhili-backup.tar.gz")
    done = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, archive],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["changed"] == out["before"]["matters"] + 1
    assert out["after"] == out["before"]
    assert out["gone"] and not out["later"] and out["kept"] == "before"
