"""schemathesis against the live `zhili serve` of the browser tests (issue 18, item 6), as two
roles: generated requests for every operation of the OpenAPI, checked for server errors, answers
outside their schema and undocumented statuses (``--checks all``).

It lives with the browser tests to share their one live server (gunicorn, DEBUG off, its own
database, PostgreSQL when DATABASE_URL is); the file name sorts it last, since its writes
change that database. Skipped when schemathesis is not installed (``pip install -e '.[dev]'``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ZHILI = Path(sys.executable).parent / "zhili"
SCHEMATHESIS = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")

pytestmark = pytest.mark.skipif(
    not Path(SCHEMATHESIS).exists(), reason="schemathesis 未安装（pip install -e '.[dev]'）"
)


def token_for(username: str, database: str, tmp_path: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"ZHILI_TESTING"}}
    env |= {
        "PYTHONPATH": str(ROOT / "src"),
        "DATABASE_URL": database,
        "ZHILI_VAR": str(tmp_path),
        "DEBUG": "1",
    }
    done = subprocess.run(
        [str(ZHILI), "token", "create", username, "--name", "schemathesis"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@pytest.mark.xfail(
    reason=(
        "first run (2026-12-06, 8,600 cases per role): 3 server errors (ST101) and 3 undocumented "
        "statuses (ST103) to fix; 118 ST202 are business rules refusing schema-valid input (422) "
        "and 7 ST201 schemas looser than the services - see docs/reliability.md"
    ),
    strict=False,
)
@pytest.mark.parametrize("role", ["city_admin", "jiefangbei"])
def test_the_api_keeps_to_its_openapi(
    server: str, e2e_database: str, role: str, tmp_path: Path
) -> None:
    raw = token_for(role, e2e_database, tmp_path)
    done = subprocess.run(
        [
            SCHEMATHESIS,
            "run",
            f"{server}/api/v1/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--header",
            f"Authorization: Bearer {raw}",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
