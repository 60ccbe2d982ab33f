"""The intake measure: its plain-SQL limit writes what the service writes; the whole measure runs.

The end-to-end test runs ``measure_intake`` in quick mode in a subprocess on a copy of the test
database (a SQLite file made by the backup API, or a PostgreSQL database cloned from the test
database as template), because gunicorn and the SQL writer need a database another process can
open. No figure is checked against a time.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from zhili.bench.intake import batch_bodies
from zhili.bench.samples import pick_samples
from zhili.bench.sqlwriter import SqlWriter
from zhili.core.models import AuditEvent
from zhili.core.workdays import add_limit
from zhili.matters import duplicates
from zhili.matters.models import (
    Category,
    Matter,
    MatterAreaDay,
    MatterCounter,
    MatterEvent,
    MatterRollupState,
)
from zhili.testing.factories import make_matter

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Two Tuesdays a week apart with no holiday between: the same deadlines, shifted by 7 days.
DAY_A = dt.datetime(2019, 3, 12, 10, 30, tzinfo=SHANGHAI)
DAY_B = DAY_A + dt.timedelta(days=7)
WEEK = dt.timedelta(days=7)


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cur:
        counts = {}
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cur.fetchone()[0]
    return counts


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {t: after[t] - before[t] for t in after if after[t] != before.get(t, 0)}


def _without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


def _rollups(day: dt.date, category_id: int) -> list[tuple[Any, ...]]:
    rows = MatterAreaDay.objects.filter(day=day, category_id=category_id).order_by("area_path")
    return [tuple(_without(model_to_dict(r), "id", "day").values()) for r in rows]


@pytest.mark.django_db
def test_sql_writer_writes_the_rows_matter_create_writes(
    users: dict[str, Any], settings: Any
) -> None:
    """Service on day A, plain SQL on day B (same category and area), twice each: the same tables
    gain the same numbers of rows, and the rows hold the same values (ids, numbers and times
    aside; deadlines a week apart). The second of each day repeats the first (a day's window, so
    day B's reports do not repeat day A's)."""
    settings.ZHILI_DUPLICATE_WINDOW_DAYS = 1
    city = users["city_admin"]
    samples = pick_samples(50, seed=11)
    sample = next(s for s in samples if s.answers)  # a category with required questions
    category = Category.objects.get(pk=sample.category_id)
    writer = SqlWriter(connection.vendor, actor_id=city.pk, actor_name=city.username)

    def by_service() -> int:
        return make_matter(
            city,
            category=category,
            channel="hotline",
            description=sample.description,
            area=Matter._meta.get_field("area").related_model.objects.get(pk=sample.area_id),
            reporter_name=sample.reporter_name,
            reporter_phone=sample.reporter_phone,
            answers=sample.answers,
            at=DAY_A,
        ).pk

    def by_sql() -> int:
        due = add_limit(DAY_B, *sample.dispatch_limit)
        cur = connection.connection.cursor()  # the raw driver's cursor, in the test transaction
        return writer.write(cur, sample, now=DAY_B, dispatch_due=due, request_id="r", ip="::1")

    ids: dict[str, list[int]] = {"service": [], "sql": []}
    for _ in range(2):  # the first inserts the counter and rollup rows, the second updates them
        deltas = {}
        for how, write in (("service", by_service), ("sql", by_sql)):
            before = _row_counts()
            ids[how].append(write())
            deltas[how] = _delta(before, _row_counts())
        assert deltas["sql"] == deltas["service"]
        assert set(deltas["sql"]) <= {
            "matters_matter",
            "matters_matterevent",
            "matters_matterrollupstate",
            "matters_matterareaday",
            "matters_matterareaall",
            "matters_mattercounter",
            "core_auditevent",
        }
        assert deltas["sql"]["matters_matter"] == 1

    for a_id, b_id in zip(ids["service"], ids["sql"], strict=True):
        a, b = Matter.objects.get(pk=a_id), Matter.objects.get(pk=b_id)
        assert a.number[9:] == b.number[9:]  # the same place in each day's sequence
        assert (a.number[:9], b.number[:9]) == ("Q20190312", "Q20190319")
        assert b.created_at - a.created_at == WEEK
        assert b.dispatch_due - a.dispatch_due == WEEK and b.due_at - a.due_at == WEEK
        skip = ("id", "number", "created_at", "dispatch_due", "due_at")
        assert _without(model_to_dict(b), *skip) == _without(model_to_dict(a), *skip)
        ea, eb = MatterEvent.objects.get(matter_id=a_id), MatterEvent.objects.get(matter_id=b_id)
        assert eb.at - ea.at == WEEK
        skip = ("id", "matter", "at", "attachments")
        assert _without(model_to_dict(eb), *skip) == _without(model_to_dict(ea), *skip)
        sa = MatterRollupState.objects.filter(matter_id=a_id).values().get()
        sb = MatterRollupState.objects.filter(matter_id=b_id).values().get()
        assert _without(sb, "matter_id") == _without(sa, "matter_id")
        aa = AuditEvent.objects.filter(object_type="matters.matter", object_id=str(a_id)).get()
        ab = AuditEvent.objects.filter(object_type="matters.matter", object_id=str(b_id)).get()
        assert ab.after == {**aa.after, "number": b.number}
        assert ab.object_repr == str(b) and aa.object_repr == str(a)
        skip = ("id", "at", "object_id", "object_repr", "after", "request_id", "ip")
        assert _without(model_to_dict(ab), *skip) == _without(model_to_dict(aa), *skip)

    rollups_a = _rollups(DAY_A.date(), category.pk)
    assert rollups_a == _rollups(DAY_B.date(), category.pk)
    assert len(rollups_a) == len([p for p in sample.area_path.split("/") if p]) - 1
    assert {r.created for r in MatterAreaDay.objects.filter(day=DAY_B.date())} == {2}
    assert MatterCounter.objects.get(day=DAY_B.date()).last == 2


@pytest.mark.django_db
def test_the_samples_are_accepted_by_the_api(client: Any, bearer: Any) -> None:
    headers = bearer("city_admin")
    for sample in pick_samples(5, seed=3):
        resp = client.post(
            "/api/v1/matters",
            sample.body(),
            content_type="application/json",
            headers=headers,
        )
        assert resp.status_code == 201, resp.content
        assert resp.json()["area_code"] == sample.area_code


@pytest.mark.django_db
def test_the_batch_bodies_are_accepted_by_the_api(client: Any, bearer: Any) -> None:
    samples = pick_samples(7, seed=3)
    bodies = batch_bodies(samples, 3)
    assert len(bodies) == 2
    resp = client.post(
        "/api/v1/matters/batch",
        bodies[1],
        content_type="application/json",
        headers=bearer("city_admin"),
    )
    assert resp.status_code == 201, resp.content
    numbers = [i["number"] for i in resp.json()["items"]]
    got = [Matter.objects.get(number=n).description for n in numbers]
    assert got == [s.description for s in samples[3:6]]


# End to end on a copy of the test database ------------------------------------------------------


RUN = """
import json, django
django.setup()
from django.utils import timezone
from zhili.bench.context import BenchContext
from zhili.bench.intake import measure_intake
users = {"city": "city_admin", "district": "yuzhong", "street": "jiefangbei", "unit": "unit_yz_jw"}
ctx = BenchContext(db=%(db)r, database_url=%(url)r, now=timezone.now(), users=users, quick=True,
                   say=lambda _m: None)
print(json.dumps([f.as_dict() for f in measure_intake(ctx)], default=str))
"""


@pytest.fixture
def database_copy(
    django_db_setup: Any, django_db_blocker: Any, tmp_path: Path
) -> Iterator[tuple[str, Any]]:
    """A URL of a copy of the test database (tree and demo accounts) and a DB-API connector."""
    with django_db_blocker.unblock():
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            path = tmp_path / "copy.sqlite3"
            target = sqlite3.connect(path)
            connection.connection.backup(target)
            target.execute("PRAGMA journal_mode=WAL")  # as settings leave a real database
            target.close()
            yield f"sqlite:///{path}", lambda: sqlite3.connect(path)
            return
        import psycopg

        cfg = connection.settings_dict
        params = {
            "user": cfg["USER"] or None,
            "password": cfg["PASSWORD"] or None,
            "host": cfg["HOST"] or None,
            "port": cfg["PORT"] or None,
        }
        name = f"zhili_intake_{secrets.token_hex(4)}"
        connection.close()  # a template must have no other session
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{cfg["NAME"]}"')
        try:
            auth = f"{params['user'] or ''}@" if params["user"] else ""
            url = f"postgres://{auth}{params['host'] or 'localhost'}:{params['port'] or 5432}"
            yield f"{url}/{name}", lambda: psycopg.connect(dbname=name, **params)
        finally:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _snapshot(connect: Any) -> dict[str, int]:
    """Matters, their "submit" events, rollup states, matters counted as created in the district
    rollups (depth 1: every matter has a district), and live API tokens."""
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute(
            "SELECT (SELECT COUNT(*) FROM matters_matter), "
            "(SELECT COUNT(*) FROM matters_matterevent WHERE action = 'submit'), "
            "(SELECT COUNT(*) FROM matters_matterrollupstate), "
            "(SELECT COALESCE(SUM(created), 0) FROM matters_matterareaday WHERE depth = 1), "
            "(SELECT COUNT(*) FROM org_apitoken WHERE revoked_at IS NULL)"
        )
        names = ("matters", "submitted", "states", "created", "tokens")
        return dict(zip(names, cur.fetchone(), strict=True))
    finally:
        conn.close()


def test_measure_intake_runs_end_to_end_and_leaves_consistent_rows(
    database_copy: tuple[str, Any], tmp_path: Path
) -> None:
    url, connect = database_copy
    before = _snapshot(connect)
    env = {**os.environ, "DATABASE_URL": url, "ZHILI_VAR": str(tmp_path / "var"), "DEBUG": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*sys.path, env.get("PYTHONPATH", "")) if p)
    script = RUN % {"db": connection.vendor, "url": url}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = {(f["measure"], f["name"]): f for f in json.loads(done.stdout.splitlines()[-1])}
    rate = figures[("intake", "API matters/s")]
    assert rate["extra"]["api"]["ok"] > 0 and rate["extra"]["sql"]["ok"] > 0
    assert rate["extra"]["api"]["failures"] == {} and rate["extra"]["sql"]["failures"] == {}
    assert rate["limit"] is not None and rate["unit"] == "matters/s"
    assert rate["extra"]["profile"]["queries_per_request"] > 0
    assert {("intake", "API latency p50"), ("intake", "API latency p99")} <= set(figures)
    batch = figures[("intake", "API batch intake (100 per request), matters/s")]
    assert batch["extra"]["ok"] > 0 and batch["extra"]["ok"] % 100 == 0
    assert batch["extra"]["failures"] == {}
    assert batch["limit"] == rate["limit"] and batch["target"] == 1000
    memory = next(f for (m, _), f in figures.items() if m == "memory")
    assert memory["value"] > 0 and memory["limit"] > 0 and memory["target"] == 250
    # The matters stay (their events are append-only), each with its event, state and counts.
    after = _snapshot(connect)
    added = {k: after[k] - before[k] for k in after}
    assert added["matters"] == rate["extra"]["matters_added"] > 0
    assert added == {k: added["matters"] for k in ("matters", "submitted", "states", "created")} | {
        "tokens": 0
    }


# The matter counter under concurrency (the intake's one point of serialisation) ------------------

CONCURRENT = """
import datetime as dt, faulthandler, json, sys, threading, django
django.setup()
from django.db import connection, connections, transaction
from zhili.core.validation import next_in_sequence
from zhili.matters.models import MatterCounter

# A hang shows every thread's stack on stderr (and ends the run) rather than a bare timeout.
faulthandler.dump_traceback_later(100, exit=True, file=sys.stderr)
# The main thread connects first: on SQLite the first connection switches the copy to WAL, which
# eight threads connecting at once could find locked (and one failing thread would have left the
# other seven at the barrier for ever).
connection.ensure_connection()

DAY = dt.date(2021, 6, 1)
out = {}
try:
    next_in_sequence(MatterCounter, day=DAY)
except RuntimeError:
    out["outside_transaction"] = "refused"

# 1. 8 threads x 25 transactions, one value each: every value exactly once.
got, lock, start, errors = [], threading.Lock(), threading.Barrier(8), []

def worker():
    try:
        if connection.vendor == "sqlite":  # a loaded CI machine can exceed the 5 s busy wait
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 60000")
        start.wait(60)
        for _ in range(25):
            with transaction.atomic():
                value = next_in_sequence(MatterCounter, day=DAY)
            with lock:
                got.append(value)
    except BaseException as exc:
        start.abort()  # the others stop waiting for a thread that will not come
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=worker) for _ in range(8)]
[t.start() for t in threads]
[t.join(60) for t in threads]
out["values"] = sorted(got) == list(range(1, 201))
out["errors"] = errors
out["last"] = MatterCounter.objects.get(day=DAY).last

# 2. A draws and keeps its transaction open; B's draw must wait for A's commit.
drawn, release, order, values = threading.Event(), threading.Event(), [], {}

def a():
    with transaction.atomic():
        values["a"] = next_in_sequence(MatterCounter, day=DAY)
        drawn.set()
        release.wait(30)
        order.append("a commits")
    connections.close_all()

def b():
    drawn.wait(30)
    with transaction.atomic():
        values["b"] = next_in_sequence(MatterCounter, day=DAY)
        order.append("b drew")
    connections.close_all()

ta, tb = threading.Thread(target=a), threading.Thread(target=b)
ta.start(); tb.start()
drawn.wait(30)
tb.join(0.5)  # time enough for B to reach the lock
out["b_waited"] = tb.is_alive() and order == []
release.set()
ta.join(30); tb.join(30)
out["order"], out["ab"] = order, [values.get("a"), values.get("b")]
print(json.dumps(out))
"""


def test_matter_counter_is_consecutive_under_concurrent_transactions(
    database_copy: tuple[str, Any], tmp_path: Path
) -> None:
    """Threads with their own connections (SQLite: BEGIN IMMEDIATE waits for the writer;
    PostgreSQL: the upsert waits on the row lock) get every value once, and a second caller waits
    until the first commits."""
    url, _ = database_copy
    env = {**os.environ, "DATABASE_URL": url, "ZHILI_VAR": str(tmp_path / "var"), "DEBUG": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*sys.path, env.get("PYTHONPATH", "")) if p)
    env.pop("ZHILI_TESTING", None)
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out == {
        "outside_transaction": "refused",
        "values": True,
        "errors": [],
        "last": 200,
        "b_waited": True,
        "order": ["a commits", "b drew"],
        "ab": [201, 202],
    }


# The query count of one API intake ----------------------------------------------------------------

# Measured with the demo data (inside the test's transaction, so the request's transaction is a
# savepoint and its release: 2 of the count). Raise it only with a reason in the commit message.
# 14: the lookup of the earlier reports the matter may repeat (the 重复诉求 counter, issue 11).
# 15: the day counters summed over categories (MatterAreaAll, issue 17), one upsert.
# 12: the category, the area and the routing rule come from the process's memo (core.lookups)
#     once the process has seen them (the bench's samples repeat, as a hotline's do).
# 12 on PostgreSQL, 13 elsewhere: the number is drawn last (the day's counter row stays locked
#     until commit), the matter inserted under a placeholder and numbered by one statement that
#     upserts the counter and updates the matter (a data-modifying WITH); SQLite takes two.
# 10 on PostgreSQL: the rollups' upserts and the matter's rollup state are one statement there
#     (data-modifying WITHs: one round trip instead of one per table); SQLite runs them one by one.
INTAKE_PIN = {"postgresql": 10, "sqlite": 13}


@pytest.mark.django_db
def test_api_intake_query_count(
    client: Any, bearer: Any, django_assert_max_num_queries: Any
) -> None:
    headers = bearer("city_admin")
    first, *samples = pick_samples(5, seed=3)
    client.get("/api/v1/me", headers=headers)  # the token's first use is recorded once

    def post(sample: Any) -> Any:
        return client.post(
            "/api/v1/matters", sample.body(), content_type="application/json", headers=headers
        )

    # Once per process, whichever intake first compares two reports' words: the tokenizer's
    # dictionary of area names (matters.duplicates). Whether the warm-up intakes needed it
    # depended on the day and on the tests run before in the same process.
    duplicates.tokenize("预热")
    assert post(first).status_code == 201  # warm: the working-day calendar is read once
    for sample in samples:  # and each category, place and routing rule once (core.lookups)
        assert post(sample).status_code == 201
    for sample in samples:
        with django_assert_max_num_queries(INTAKE_PIN[connection.vendor]):
            resp = post(sample)
        assert resp.status_code == 201, resp.content


# A setting the intake figure found ----------------------------------------------------------------

KEEP = """
import django
django.setup()
from django.core.signals import request_finished, request_started
from django.db import connection

def one_request():
    request_started.send(sender=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raw = connection.connection
    request_finished.send(sender=None)
    return raw

print(one_request() is one_request(), connection.settings_dict["OPTIONS"]["transaction_mode"])
"""


def test_sqlite_keeps_its_connection_between_requests(tmp_path: Path) -> None:
    """Reopening SQLite per request (CONN_MAX_AGE 0) cost ~7 ms of a ~7 ms API intake."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'zhili.sqlite3'}",
        "ZHILI_VAR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "zhili.settings",
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    done = subprocess.run(
        [sys.executable, "-c", KEEP], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "IMMEDIATE"]


def test_the_servers_seal_personal_fields_with_the_benchs_field_key() -> None:
    """The intake's gunicorn gets a random SECRET_KEY, but the field key of the bench: what it
    writes stays readable by the next ``--reuse`` run (it was not: the detail measure failed on
    an unknown key after an intake)."""
    from zhili.bench.server import server_env
    from zhili.core.privacy_crypto import _keys, current_key_id

    env = server_env("sqlite:///unused")
    (kid, _key), _ring = _keys(env["ZHILI_FIELD_KEY"], "", env["SECRET_KEY"])
    assert kid == current_key_id()
