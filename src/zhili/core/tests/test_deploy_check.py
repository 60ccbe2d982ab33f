"""``zhili check --deploy`` is clean with production settings (issue 18, item 11): ZHILI_HTTPS=1
turns on secure cookies, the https redirect and HSTS, each configurable on its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZHILI_", "DJANGO_")) and k not in ("DEBUG", "SECRET_KEY")
    }
    base |= {
        "ZHILI_VAR": str(tmp_path / "var"),
        "SECRET_KEY": "k" * 20 + "production-secret-not-guessable-0123456789abcdefXYZ",
        "ALLOWED_HOSTS": "zhili.example.gov.cn",
        "ZHILI_FIELD_KEY": "field-key-kept-apart-from-the-secret-0123456789",
        "DJANGO_SETTINGS_MODULE": "zhili.settings",
        "PYTHONPATH": os.pathsep.join(sys.path),
        **env,
    }
    code = (
        "import django; from django.core.management import call_command; django.setup(); "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    done = deploy_check(tmp_path, ZHILI_HTTPS="1")
    assert done.returncode == 0, done.stderr[-3000:]


def test_without_https_the_check_names_what_is_missing(tmp_path: Path) -> None:
    done = deploy_check(tmp_path)
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stderr


def test_hsts_is_configurable(tmp_path: Path) -> None:
    done = deploy_check(tmp_path, ZHILI_HTTPS="1", ZHILI_HSTS_SECONDS="0")
    assert "security.W004" in done.stderr


def test_the_several_machines_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    """docs/deploy.md: Redis (cache, RQ queue, lease) and a report replica, with HTTPS."""
    db = f"sqlite:///{tmp_path / 'primary.sqlite3'}"
    done = deploy_check(
        tmp_path,
        ZHILI_HTTPS="1",
        DATABASE_URL=db,
        DATABASE_REPLICA_URL=db,
        REDIS_URL="redis://127.0.0.1:6379/13",
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_without_a_field_key_the_check_says_so(tmp_path: Path) -> None:
    done = deploy_check(tmp_path, ZHILI_HTTPS="1", ZHILI_FIELD_KEY="")
    assert done.returncode != 0
    assert "zhili.W001" in done.stderr
