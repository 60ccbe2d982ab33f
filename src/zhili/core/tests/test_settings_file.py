"""The README's commands work in a new shell after ``make demo``: settings missing from the
environment are read from ``$ZHILI_VAR/zhili.env``, which ``make demo`` writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = "import zhili.settings as s; print(s.DEBUG, s.SECRET_KEY)"


def _run(var: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ZHILI_TESTING"}}
    env.update(ZHILI_VAR=str(var), PYTHONPATH=str(Path(__file__).resolve().parents[3]), **extra)
    return subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=60
    )


def test_without_the_file_a_production_server_refuses_to_start(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_demo_file_supplies_what_the_environment_lacks(tmp_path: Path) -> None:
    (tmp_path / "zhili.env").write_text("# demo\nDEBUG=1\nSECRET_KEY=from-the-file\n", "utf-8")
    assert _run(tmp_path).stdout.split() == ["True", "from-the-file"]
    # The environment wins over the file.
    assert _run(tmp_path, SECRET_KEY="from-env", DEBUG="0").stdout.split() == ["False", "from-env"]


def test_make_demo_writes_the_file_once(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[4]
    env = {**os.environ, "ZHILI_VAR": str(tmp_path / "var")}
    for _ in range(2):
        subprocess.run(
            ["make", "-s", "demo-env"],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )
    text = (tmp_path / "var" / "zhili.env").read_text("utf-8")
    assert "DEBUG=1" in text
    key = next(line for line in text.splitlines() if line.startswith("SECRET_KEY="))
    assert len(key) > len("SECRET_KEY=") + 40
    assert oct((tmp_path / "var" / "zhili.env").stat().st_mode)[-3:] == "600"
