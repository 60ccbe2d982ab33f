"""Retries racing the first request (issue 18, item 7) with real concurrent transactions: eight
clients send one intake with one Idempotency-Key at once; one matter is filed and every client
gets its answer. PostgreSQL: the later inserts of the key wait on its unique index until the
first request commits, then replay its answer. SQLite serialises writers (BEGIN IMMEDIATE)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from zhili.bench.tests.test_intake import database_copy  # noqa: F401  (a fixture)

RACE = """
import json, threading, django
django.setup()
from django.db import connections
from django.test import Client
from zhili.matters.models import Matter
from zhili.org.models import User
from zhili.org.services import token_create

raw = token_create(actor=None, user=User.objects.get(username="jiefangbei"))[1]
body = json.dumps({"category": "streetlight", "description": "并发重试的同一件诉求",
                   "area": "500103003013001"})
answers, barrier = [], threading.Barrier(8)


def send():
    try:
        barrier.wait(20)
        r = Client().post("/api/v1/matters", body, content_type="application/json",
                          headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "race-1"})
        data = json.loads(r.content)
        answers.append([r.status_code, data.get("number") or data.get("code")])
    except Exception as exc:
        answers.append(["error", f"{type(exc).__name__}: {str(exc)[:300]}"])
    finally:
        connections.close_all()


threads = [threading.Thread(target=send) for _ in range(8)]
[t.start() for t in threads]
[t.join(120) for t in threads]
filed = Matter.objects.filter(description="并发重试的同一件诉求").count()
print(json.dumps({"answers": answers, "filed": filed}))
"""


@pytest.mark.django_db
def test_the_key_row_is_unique() -> None:
    """(A database test, so that pytest-django sets the database up when this runs alone.)"""
    from django.db import IntegrityError, transaction

    from zhili.core.models import IdempotencyKey

    IdempotencyKey.objects.create(scope="s", key="k", request_hash="h")
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyKey.objects.create(scope="s", key="k", request_hash="h2")


def test_concurrent_retries_file_one_matter(
    database_copy: tuple[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    url, _ = database_copy
    env = {**os.environ, "DATABASE_URL": url, "ZHILI_VAR": str(tmp_path / "var"), "DEBUG": "1"}
    env["ALLOWED_HOSTS"] = "testserver"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*sys.path, env.get("PYTHONPATH", "")) if p)
    env.pop("ZHILI_TESTING", None)
    done = subprocess.run(
        [sys.executable, "-c", RACE], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["filed"] == 1, out
    assert len(out["answers"]) == 8
    assert {tuple(a) for a in out["answers"]} == {tuple(out["answers"][0])}, out
    assert out["answers"][0][0] == 201
