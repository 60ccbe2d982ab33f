"""Scale-out on engines that exist (issue 17): REDIS_URL moves the cache and the task queue to
Redis (django-tasks-rq), one scheduler among many workers is elected by a lease in the queue's
store, and DATABASE_REPLICA_URL sends report reads to a replica. The Redis tests need the Redis
server at 127.0.0.1:6379 (CI has it) and use its database 13."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from zhili.bench.tests.test_intake import database_copy  # noqa: F401  (a fixture)
from zhili.core.db_router import read_database, reporting
from zhili.core.leader import DatabaseLease, RedisLease
from zhili.core.models import SchedulerLease

REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def redis_or_skip() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis 未在 127.0.0.1:6379 运行")
    client.flushdb()
    return client


def _env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "ZHILI_VAR": str(tmp_path / "var"), "DEBUG": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (*sys.path, env.get("PYTHONPATH", "")) if p)
    env["DJANGO_SETTINGS_MODULE"] = "zhili.settings"
    env.pop("ZHILI_TESTING", None)
    env.pop("DATABASE_REPLICA_URL", None)
    env.update(extra)
    return env


def _django(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _shell(env: dict[str, str], code: str) -> str:
    """Run Python in a Django shell of the subprocess's settings; its standard output."""
    return _django(env, "shell", "-v", "0", "-c", code)


# -- the lease -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_database_lease_has_one_holder_until_it_expires_or_is_released() -> None:
    a, b = DatabaseLease("t", "a", 30), DatabaseLease("t", "b", 30)
    assert a.hold() and not b.hold()
    assert a.hold(), "the holder renews"
    SchedulerLease.objects.filter(name="t").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert b.hold() and not a.hold(), "an expired lease goes to whoever asks first"
    b.release()
    assert a.hold()
    assert SchedulerLease.objects.get(name="t").holder == "a"


def test_redis_lease_has_one_holder_until_it_expires_or_is_released() -> None:
    client = redis_or_skip()
    a = RedisLease("t", "a", REDIS_TEST_URL, 30)
    b = RedisLease("t", "b", REDIS_TEST_URL, 30)
    assert a.hold() and not b.hold()
    assert a.hold()
    b.release()  # not the holder: changes nothing
    assert client.get("zhili:lease:t") == b"a"
    a.release()
    assert b.hold() and not a.hold()
    short = RedisLease("u", "c", REDIS_TEST_URL, 0.2)
    assert short.hold()
    time.sleep(0.4)
    assert RedisLease("u", "d", REDIS_TEST_URL, 30).hold(), "an expired lease is free"


# -- workers on several machines: one scheduler, elected ------------------------------------


def test_a_killed_scheduler_is_replaced_by_another_worker(
    database_copy: tuple[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """Two workers on one queue: exactly one holds the lease; kill -9 it and the other takes
    over within the lease period, with nobody setting a flag."""
    url, connect = database_copy
    env = _env(url, tmp_path, ZHILI_SCHEDULER_LEASE_SECONDS="2")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "django", "worker", "--interval", "0.5"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        for _ in range(2)
    ]
    try:
        ids = []
        for p in procs:
            assert p.stdout is not None
            line = p.stdout.readline()
            assert "后台任务进程" in line, line
            ids.append(line.split()[1])

        def holder() -> str | None:
            conn = connect()
            try:
                cur = conn.cursor()
                cur.execute(
                    "SELECT holder FROM core_schedulerlease WHERE name = 'scheduler' "
                    "AND expires_at > %s" % ("?" if "sqlite" in url else "%s"),
                    (timezone.now().isoformat(sep=" ") if "sqlite" in url else timezone.now(),),
                )
                row = cur.fetchone()
                return row[0] if row else None
            finally:
                conn.close()

        deadline = time.monotonic() + 60
        while (first := holder()) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert first in ids
        leader = procs[ids.index(first)]
        os.killpg(leader.pid, signal.SIGKILL)
        leader.wait(10)
        survivor = ids[1 - ids.index(first)]
        deadline = time.monotonic() + 30
        while holder() != survivor and time.monotonic() < deadline:
            time.sleep(0.2)
        assert holder() == survivor
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)


# -- REDIS_URL: cache and task queue in Redis ------------------------------------------------


def test_redis_url_moves_the_cache_and_the_task_queue_to_redis(
    database_copy: tuple[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    redis_or_skip()
    url, _ = database_copy
    env = _env(url, tmp_path, REDIS_URL=REDIS_TEST_URL)
    # One process writes the cache, another reads it: the login lock and the throttles count
    # across processes and machines.
    out = _shell(
        env,
        "from django.core.cache import cache, caches; cache.set('zhili-shared', 'seen', 60); "
        "print(type(caches['default']).__name__)",
    )
    assert out.strip() == "RedisCache"
    out = _shell(
        env,
        "from django.core.cache import cache; print(cache.get('zhili-shared'))",
    )
    assert out.strip() == "seen"
    # A task enqueued by one process runs in the RQ worker and its result is read by a third.
    out = _shell(
        env,
        "from zhili.matters.tasks import sweep_deadlines as t; r = t.enqueue(); "
        "print(type(r.task.get_backend()).__name__, r.id)",
    )
    backend, result_id = out.split()
    assert backend == "RQBackend"
    out = _django(env, "worker", "--once", "--no-schedule", "-v", "0")
    assert "已执行 1 个任务" in out
    out = _shell(
        env,
        f"from zhili.matters.tasks import sweep_deadlines as t; r = t.get_result('{result_id}'); "
        "print(getattr(r.status, 'value', r.status), sorted(r.return_value))",
    )
    status, keys = out.split(" ", 1)
    assert status == "SUCCESSFUL"
    assert "overdue" in keys or "warned" in keys, keys


# -- DATABASE_REPLICA_URL: report reads from the replica -------------------------------------


def test_reads_outside_a_report_stay_on_the_primary(db: Any) -> None:
    with reporting():  # on PostgreSQL, a report opens its connection to plan its reads (unprepared)
        assert read_database() == "default", "no replica configured: nothing changes"


def test_report_reads_go_to_the_replica(
    database_copy: tuple[str, Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    """The replica here is a copy of the primary with one row more: a report sees it, an
    ordinary read and every write do not."""
    url, connect = database_copy
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        replica_path = str(tmp_path / "replica.sqlite3")
        shutil.copy(path, replica_path)
        replica_url = f"sqlite:///{replica_path}"
        conn = sqlite3.connect(replica_path)
        conn.execute(
            "INSERT INTO core_schedulerlease (name, holder, expires_at) "
            "VALUES ('replica-only', 'x', '2030-01-01 00:00:00')"
        )
        conn.commit()
        conn.close()
    else:
        import psycopg

        base, name = url.rsplit("/", 1)
        replica_name = f"{name}_replica"
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{replica_name}" TEMPLATE "{name}"')
        replica_url = f"{base}/{replica_name}"
        with psycopg.connect(replica_url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO core_schedulerlease (name, holder, expires_at) "
                "VALUES ('replica-only', 'x', '2030-01-01 00:00:00+00')"
            )
    try:
        env = _env(url, tmp_path, DATABASE_REPLICA_URL=replica_url)
        out = _shell(
            env,
            "from zhili.core.db_router import reporting, report_reads\n"
            "from zhili.core.models import SchedulerLease as L\n"
            "from zhili.matters import metrics_views\n"
            "q = lambda: L.objects.filter(name='replica-only').count()\n"
            "with reporting():\n"
            "    inside = q()\n"
            "    L.objects.create(name='written', holder='y', expires_at='2030-01-01T00:00Z')\n"
            "marked = hasattr(metrics_views.metrics, '__wrapped__')\n"
            "print(q(), inside, marked)",
        )
        assert out.split() == ["0", "1", "True"]
        conn = connect()
        try:
            cur = conn.cursor()
            cur.execute("SELECT COUNT(*) FROM core_schedulerlease WHERE name = 'written'")
            assert cur.fetchone()[0] == 1, "writes inside a report go to the primary"
        finally:
            conn.close()
    finally:
        if not url.startswith("sqlite"):
            import psycopg

            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{replica_name}" WITH (FORCE)')
