"""Merges racing each other (issue 18, item 5), on PostgreSQL with real concurrent transactions:
two matters merged into each other at once never deadlock (one merge wins, the other is a
refusal), and in a three-way race no matter is merged into one already merged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from zhili.bench.tests.test_intake import database_copy  # noqa: F401  (a fixture)

RACE = """
import json, threading, django
django.setup()
from django.db import connections, transaction
from zhili.core.errors import ZhiliError
from zhili.matters import services as s
from zhili.matters.models import Matter, MatterEvent, Status
from zhili.testing.factories import make_matter, user

ROUNDS = 8
admin = user("city_admin")
errors = []


def new():
    with transaction.atomic():
        return make_matter("jiefangbei").pk


def merge(a, b, barrier, out):
    try:
        barrier.wait(20)
        with transaction.atomic():
            s.matter_merge(
                actor=admin, matter=Matter.objects.get(pk=a), into=Matter.objects.get(pk=b)
            )
        out.append("ok")
    except ZhiliError as exc:
        out.append("refused")
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        connections.close_all()


def race(pairs):
    out = []
    barrier = threading.Barrier(len(pairs))
    threads = [threading.Thread(target=merge, args=(a, b, barrier, out)) for a, b in pairs]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    return sorted(out)


two, three, chains = [], [], []
for _ in range(ROUNDS):
    a, b = new(), new()
    two.append(race([(a, b), (b, a)]))
for _ in range(ROUNDS):
    a, b, c = new(), new(), new()
    three.append(race([(a, b), (b, c), (c, a)]))
    for m in Matter.objects.filter(pk__in=(a, b, c), status=Status.MERGED):
        mine = MatterEvent.objects.get(matter=m, action="merge").pk
        target = m.merged_into
        theirs = MatterEvent.objects.filter(matter=target, action="merge").first()
        # The target was not merged when this matter was merged into it.
        chains.append(theirs is None or theirs.pk > mine)
    assert Matter.objects.filter(pk__in=(a, b, c)).exclude(status=Status.MERGED).exists()
print(json.dumps({"two": two, "three": three, "chains": chains, "errors": errors}))
"""


def test_merges_racing_each_other(database_copy: tuple[str, Any], tmp_path: Path) -> None:  # noqa: F811
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite serialises writers (BEGIN IMMEDIATE): no row locks, no deadlock to provoke;"
            " run with DATABASE_URL=postgres://…"
        )
    url, _ = database_copy
    env = {**os.environ, "DATABASE_URL": url, "ZHILI_VAR": str(tmp_path / "var"), "DEBUG": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*sys.path, env.get("PYTHONPATH", "")) if p)
    env.pop("ZHILI_TESTING", None)
    done = subprocess.run(
        [sys.executable, "-c", RACE], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["errors"] == []
    assert all(r == ["ok", "refused"] for r in out["two"]), out["two"]
    assert all(r.count("ok") >= 1 and len(r) == 3 for r in out["three"]), out["three"]
    assert out["chains"] and all(out["chains"]), out


@pytest.mark.django_db
def test_merging_back_into_a_merged_matter_is_refused(users: dict[str, Any]) -> None:
    """The sequential case of the race above (and, being a database test, it makes pytest-django
    set up the test database when this module runs alone)."""
    from zhili.core.errors import ValidationFailed
    from zhili.matters import services as s
    from zhili.testing.factories import make_matter

    a, b = make_matter(), make_matter()
    s.matter_merge(actor=users["city_admin"], matter=a, into=b)
    with pytest.raises(ValidationFailed) as refused:
        s.matter_merge(actor=users["city_admin"], matter=b, into=a)
    assert refused.value.code == "merge_target"
