"""schemathesis against the live `zhili serve` of the browser tests (issue 18, item 6), as two
roles: generated requests for every operation of the OpenAPI, checked for server errors, answers
outside their schema, undocumented statuses and schema-invalid input accepted (``--checks all``).

How answers are judged (``schemathesis.toml`` beside this file):
- a 5xx, an undocumented status, an answer outside its schema, or schema-invalid input accepted
  fails the test;
- a documented 422 with the error body is a correct answer to schema-valid input: business rules
  (quorum, stock, scope, a record that does not exist, an opaque cursor) refuse what a schema
  cannot describe;
- no NUL is generated: the server refuses NUL with 400 by design, tested on every input in
  ``core/tests/test_hostile_input.py``.

Bounded for CI: the coverage and fuzzing phases as city_admin, fuzzing only as jiefangbei (no
stateful phase), 5 examples per operation, a fixed seed (the same cases on SQLite and
PostgreSQL, so a failure replays), no shrinking. It lives with the browser tests to share their
one live server (gunicorn, DEBUG off, its own database, PostgreSQL when DATABASE_URL is); the
file name sorts it last, since its writes change that database. Skipped when schemathesis is not
installed
(``pip install -e '.[dev]'``).
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
CONFIG = Path(__file__).with_name("schemathesis.toml")
EXAMPLES = int(os.environ.get("ZHILI_SCHEMATHESIS_EXAMPLES", "5"))
# The coverage phase (boundary values and wrong types of every parameter, two thirds of the time)
# depends on the schema, not on the role: it runs once, as the city administrator.
PHASES = {"city_admin": "coverage,fuzzing", "jiefangbei": "fuzzing"}

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


@pytest.mark.parametrize("role", ["city_admin", "jiefangbei"])
def test_the_api_keeps_to_its_openapi(
    server: str, e2e_database: str, role: str, tmp_path: Path
) -> None:
    raw = token_for(role, e2e_database, tmp_path)
    done = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(CONFIG),
            "run",
            f"{server}/api/v1/openapi.json",
            "--checks",
            "all",
            "--phases",
            PHASES[role],
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "18",
            "--no-shrink",
            "--generation-allow-x00",
            "false",
            "--generation-database",
            "none",
            "--workers",
            "2",
            "--request-timeout",
            "60",
            "--header",
            f"Authorization: Bearer {raw}",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
