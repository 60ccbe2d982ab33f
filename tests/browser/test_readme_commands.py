"""The README's API example, run as written in a new shell: no DEBUG or SECRET_KEY in the
environment (they come from the settings file ``make demo-env`` writes under var/), against a
running server with the demo data. Every curl must answer 2xx."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ZHILI = Path(sys.executable).parent / "zhili"


def _api_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    found = [b for b in blocks if "token create" in b]
    assert found, "README 中没有 API 示例"
    return found[0]


def test_the_readme_api_example_works_in_a_new_shell(
    server: str, e2e_database: str, tmp_path: Path
) -> None:
    var = tmp_path / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ZHILI_TESTING", "DATABASE_URL"}
    }
    env.update({"ZHILI_VAR": str(var), "PATH": f"{ZHILI.parent}:{env.get('PATH', '')}"})
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    made = subprocess.run(
        ["make", "-s", "demo-env", f"BIN={ZHILI.parent}"], cwd=ROOT, env=env, capture_output=True
    )
    assert made.returncode == 0, made.stderr.decode()
    assert "DEBUG=1" in (var / "zhili.env").read_text()
    script = _api_example().replace(".venv/bin/zhili", str(ZHILI))
    script = script.replace("http://127.0.0.1:8000", server).replace(
        "curl ", "curl -fsS -o /dev/null "
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env={**env, "DATABASE_URL": e2e_database},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, (done.stdout.decode() + done.stderr.decode())[-2000:]


def test_the_api_example_is_still_in_the_readme() -> Any:
    assert "TOKEN=$(.venv/bin/zhili token create" in _api_example()
