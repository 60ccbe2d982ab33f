"""Intake: matters created through the HTTP API under load, beside the same rows by plain SQL.

``measure_intake`` starts gunicorn as production runs it (``zhili serve``: sync workers), has
``clients`` processes POST /api/v1/matters for ``seconds`` after a warm-up, and reports matters/s
and p50/p99 latency; then, on the same server, the same clients POST /api/v1/matters/batch with
100 samples per request (the bursts-and-imports path), reported as matters/s. Their limit, in the same run: ``SqlWriter`` writes the rows one API intake
writes (matter, per-day counter, "submit" event, rollup state, the area rollups of each level,
audit event) by hand-written SQL, one transaction per matter, from as many threads with their own
connections. The "memory" figure is the peak RSS (VmHWM) of the busiest worker after the load,
beside a process that imports the same application and serves nothing.

What the run adds stays: the matters are real intakes, and their events and audit events are
append-only (the database refuses to delete them, and a matter cannot go without its events). Every
row is consistent — each matter has its "submit" event, rollup state and counts in the rollups —
so the city is simply larger afterwards. That is why intake runs last among the measures
(``run.MEASURES``): the reads and the sweep are measured on the generated city as built. The API
token is revoked.
"""

from __future__ import annotations

import contextlib
import cProfile
import datetime as dt
import http.client
import multiprocessing as mp
import os
import pstats
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhili.bench.context import BenchContext
from zhili.bench.figures import Figure
from zhili.bench.load import OK, PgWaits, Record, Summary, Window
from zhili.bench.samples import Sample, pick_samples
from zhili.bench.server import gunicorn, idle_app_kb, status_kb
from zhili.bench.sqlwriter import SqlWriter, sql_load

API_PATH = "/api/v1/matters"
BATCH_PATH = "/api/v1/matters/batch"
BATCH_SIZE = 100  # matters per batch request
TARGET_RATE = 1000.0  # matters/s (issue 6)
TARGET_RSS_MB = 250.0


# The load through the API ---------------------------------------------------------------------


def _api_client(
    port: int,
    token: str,
    path: str,
    bodies: list[bytes],
    k: int,
    step: int,
    window: Window,
    out: Any,
) -> None:
    """One client process: POST matters over one http.client connection until the window ends.
    (Gunicorn's sync workers close the connection after each response; http.client reopens it.)"""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    records: list[Record] = []
    errors: list[str] = []
    i = k
    while time.monotonic() < window.start:
        time.sleep(0.001)
    while (t0 := time.monotonic()) < window.stop:
        body = bodies[i % len(bodies)]
        i += step
        try:
            conn.request("POST", path, body, headers)
            resp = conn.getresponse()
            data = resp.read()
            outcome = OK if resp.status == 201 else str(resp.status)
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            outcome, data = type(exc).__name__, str(exc).encode()
        records.append((t0, time.monotonic(), outcome))
        if outcome != OK and len(errors) < 3:
            errors.append(f"{outcome}: {data[:300].decode(errors='replace')}")
    conn.close()
    out.put((records, errors))


def batch_bodies(samples: list[Sample], size: int) -> list[bytes]:
    """Bodies of POST /matters/batch: the samples' payloads, ``size`` per body, in turn."""
    items = [s.body().decode() for s in samples]
    n = max(1, len(items) // size)
    return [
        (
            '{"items": ['
            + ", ".join(items[(b * size + k) % len(items)] for k in range(size))
            + "]}"
        ).encode()
        for b in range(n)
    ]


def _api_load(
    port: int,
    token: str,
    bodies: list[bytes],
    *,
    path: str = API_PATH,
    clients: int,
    window: Window,
    during: contextlib.AbstractContextManager[Any] | None = None,
) -> tuple[list[Record], list[str]]:
    """``clients`` processes (forked: nothing to import) POSTing ``bodies`` in turn to ``path``;
    ``during`` is entered once they run (a sampling thread must not exist when they fork)."""
    from django.db import connections

    connections.close_all()  # no connection shared with forked children
    fork = mp.get_context("fork")
    out = fork.Queue()
    procs = [
        fork.Process(target=_api_client, args=(port, token, path, bodies, k, clients, window, out))
        for k in range(clients)
    ]
    for p in procs:
        p.start()
    records: list[Record] = []
    errors: list[str] = []
    try:
        with during or contextlib.nullcontext():
            for _ in procs:
                got_records, got_errors = out.get(timeout=window.stop - time.monotonic() + 120)
                records += got_records
                errors += got_errors
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
    return records, errors


# One request in-process, profiled ----------------------------------------------------------------

WATCH = {
    "matter_create": "services.py",
    "number_matter": "services.py",
    "rule_unit": "routing.py",
    "record": "rollups.py",
    "audit_record": "audit.py",
    "token_authenticate": "services.py",
    "matter_out": "presenters.py",
    "_execute": "utils.py",  # django.db.backends.utils: every query, driver included
}


def profile_requests(token: str, samples: list[Sample], n: int) -> dict[str, Any]:
    """``n`` API intakes through Django's full stack in this process (DEBUG off): wall time per
    request, queries per request, then the same under cProfile and where its time goes."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")

    def post(s: Sample) -> None:
        resp = client.post(API_PATH, s.body(), content_type="application/json")
        if resp.status_code != 201:
            raise RuntimeError(f"API intake answered {resp.status_code}: {resp.content[:300]!r}")

    with override_settings(DEBUG=False, ALLOWED_HOSTS=["127.0.0.1"]):
        post(samples[0])  # warm: URLs, caches
        queries: list[str] = []

        def spy(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(spy):
            post(samples[1 % len(samples)])
        start = time.perf_counter()
        for i in range(n):
            post(samples[i % len(samples)])
        wall_ms = (time.perf_counter() - start) * 1000 / n
        prof = cProfile.Profile()
        prof.enable()
        for i in range(n):
            post(samples[i % len(samples)])
        prof.disable()
    stats = pstats.Stats(prof)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values())
    per_call: dict[str, float] = dict.fromkeys(WATCH, 0.0)
    for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in raw.items():
        if WATCH.get(name) and file.endswith(WATCH[name]):
            per_call[name] += ct * 1000 / n
    top = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:10]
    return {
        "requests": n,
        "wall_ms_per_request": round(wall_ms, 2),
        "queries_per_request": len(queries),
        "queries": [q[:120] for q in queries],
        "profiled_ms_per_request": round(total * 1000 / n, 2),
        "cumulative_ms_per_request": {k: round(v, 2) for k, v in per_call.items()},
        "top_self_ms_per_request": [
            {"function": f"{Path(f).name}:{ln} {name}", "ms": round(v[2] * 1000 / n, 3)}
            for (f, ln, name), v in top
        ],
    }


# The measure -------------------------------------------------------------------------------------


def _ms(v: float) -> float:
    return round(v, 2)


@dataclass
class Found:
    """What one run measured, before it becomes figures."""

    run: dict[str, Any]
    api: Summary
    sql: Summary
    batch: Summary
    api_errors: list[str]
    batch_errors: list[str]
    sql_errors: list[str]
    profile: dict[str, Any]
    waits: dict[str, Any] | None
    worker_kb: dict[int, int]
    master_kb: int
    idle_kb: int


def measure_intake(
    ctx: BenchContext, *, seconds: float = 30, clients: int = 8, workers: int = 4
) -> list[Figure]:
    """Figures "intake" (matters/s, p50, p99, each beside plain SQL) and "memory" (worker RSS)."""
    import dj_database_url
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max

    from zhili.core.workdays import add_limit
    from zhili.matters.models import Matter
    from zhili.org.models import User
    from zhili.org.services import token_create, token_revoke

    if dj_database_url.parse(ctx.database_url)["NAME"] != settings.DATABASES["default"]["NAME"]:
        raise RuntimeError("measure_intake must run with Django connected to ctx.database_url")
    warmup, n_samples, n_profile = 3.0, 1024, 200
    if ctx.quick:
        seconds, clients, workers = min(seconds, 1.5), 2, 1
        warmup, n_samples, n_profile = 0.5, 64, 10
    run: dict[str, Any] = {"seconds": seconds, "clients": clients, "workers": workers}
    run |= {"warmup": warmup, "loadavg_1m_before": round(os.getloadavg()[0], 2)}
    user = User.objects.get(username=ctx.users["city"])
    samples = pick_samples(n_samples)
    after_id = Matter.objects.aggregate(top=Max("pk"))["top"] or 0
    token, raw = token_create(actor=None, user=user, name="bench intake")
    log = Path(tempfile.mkstemp(prefix="zhili-bench-gunicorn-", suffix=".log")[1])
    try:
        ctx.say(f"intake: profiling {n_profile} API requests in-process")
        profile = profile_requests(raw, samples, n_profile)
        ctx.say(f"intake: gunicorn {workers} workers, {clients} clients, {seconds:g} s")
        with gunicorn(ctx.database_url, workers=workers, log=log) as server:
            window = Window.after(0.5, warmup, seconds)
            sampler = PgWaits(ctx.database_url) if connection.vendor == "postgresql" else None
            api_records, api_errors = _api_load(
                server.port,
                raw,
                [s.body() for s in samples],
                clients=clients,
                window=window,
                during=sampler,
            )
            api = Summary.of(api_records, window)
            ctx.say(f"intake: batches of {BATCH_SIZE}, {clients} clients, {seconds:g} s")
            window_batch = Window.after(0.5, warmup, seconds)
            batch_records, batch_errors = _api_load(
                server.port,
                raw,
                batch_bodies(samples, BATCH_SIZE),
                path=BATCH_PATH,
                clients=clients,
                window=window_batch,
            )
            batch = Summary.of(batch_records, window_batch, per_request=BATCH_SIZE)
            worker_kb = {pid: status_kb(pid, "VmHWM") for pid in server.workers()}
            master_kb = status_kb(server.pid, "VmRSS")
            if api.failures or batch.failures:
                logged = server.log_errors()
                api_errors += logged if api.failures else []
                batch_errors += logged if batch.failures else []
                run["server_log"] = str(log)
        idle_kb = idle_app_kb(ctx.database_url, API_PATH)
        ctx.say(f"intake: plain SQL, {clients} connections, {seconds:g} s")
        base = dt.datetime.now(dt.UTC)
        dues = {s.category_id: (base, add_limit(base, *s.dispatch_limit)) for s in samples}
        writer = SqlWriter(connection.vendor, actor_id=user.pk, actor_name=user.username)
        window_sql = Window.after(0.2, warmup, seconds)
        sql_records, sql_errors = sql_load(
            ctx.database_url, writer, samples, dues, clients=clients, window=window_sql
        )
        sql = Summary.of(sql_records, window_sql)
    finally:
        token_revoke(actor=user, token=token)
        if "server_log" not in run:
            log.unlink(missing_ok=True)
        added = Matter.objects.filter(pk__gt=after_id).count()
        run["matters_added"] = added
        ctx.say(f"intake: the run added {added} matters (they stay: events are append-only)")
    waits = sampler.summary() if sampler else None
    found = Found(
        run,
        api,
        sql,
        batch,
        api_errors,
        batch_errors,
        sql_errors,
        profile,
        waits,
        worker_kb,
        master_kb,
        idle_kb,
    )
    return [*_intake_figures(ctx, found), _memory_figure(found)]


def _intake_figures(ctx: BenchContext, f: Found) -> list[Figure]:
    run, api, sql, profile = f.run, f.api, f.sql, f.profile
    setup = (
        f"{run['clients']} client processes → gunicorn {run['workers']} sync workers "
        f"({run['seconds']:g} s after {run['warmup']:g} s warm-up)"
    )
    errors = "no errors"
    if api.failures or sql.failures:
        errors = f"ERRORS api {dict(api.failures)} sql {dict(sql.failures)}: " + " | ".join(
            (f.api_errors + f.sql_errors)[:4]
        )
    cum = profile["cumulative_ms_per_request"]
    where = (
        f"one request in-process {profile['wall_ms_per_request']} ms, "
        f"{profile['queries_per_request']} queries (DB {cum['_execute']:.2f} ms, "
        f"matter_create {cum['matter_create']:.2f} ms under cProfile)"
    )
    if f.waits and f.waits["top"]:
        where += f"; PostgreSQL backends during the load: {f.waits['top'][0]}"
    extra = {
        "db": ctx.db,
        **run,
        "api": {"ok": api.ok, "failures": dict(api.failures), "errors": f.api_errors},
        "sql": {"ok": sql.ok, "failures": dict(sql.failures), "errors": f.sql_errors},
        "profile": profile,
        "pg_waits": f.waits,
    }
    return [
        Figure(
            "intake",
            "API matters/s",
            round(api.rate, 1),
            "matters/s",
            better="higher",
            limit=round(sql.rate, 1),
            limit_name=f"plain SQL, {run['clients']} connections, 1 transaction per matter",
            target=TARGET_RATE,
            target_text="≥ 1,000 matters/s",
            note=f"{setup}; {errors}; {where}",
            extra=extra,
        ),
        _batch_figure(f, setup),
        Figure(
            "intake",
            "API latency p50",
            _ms(api.p50),
            "ms",
            limit=_ms(sql.p50),
            limit_name="plain SQL transaction p50",
        ),
        Figure(
            "intake",
            "API latency p99",
            _ms(api.p99),
            "ms",
            limit=_ms(sql.p99),
            limit_name="plain SQL transaction p99",
        ),
    ]


def _batch_figure(f: Found, setup: str) -> Figure:
    batch, sql = f.batch, f.sql
    errors = "no errors"
    if batch.failures:
        errors = (
            f"ERRORS {dict(batch.failures)}: "
            + " | ".join(e for e in f.batch_errors if "<!doctype" not in e)[:600]
        )
    return Figure(
        "intake",
        f"API batch intake ({BATCH_SIZE} per request), matters/s",
        round(batch.rate, 1),
        "matters/s",
        better="higher",
        limit=round(sql.rate, 1),
        limit_name=f"plain SQL, {f.run['clients']} connections, 1 transaction per matter",
        target=TARGET_RATE,
        target_text="≥ 1,000 matters/s",
        note=f"POST {BATCH_PATH}, {setup}; request p50 {_ms(batch.p50)} ms, "
        f"p99 {_ms(batch.p99)} ms; {errors}",
        extra={
            "batch_size": BATCH_SIZE,
            "ok": batch.ok,
            "failures": dict(batch.failures),
            "errors": f.batch_errors,
            "request_p50_ms": _ms(batch.p50),
            "request_p99_ms": _ms(batch.p99),
        },
    )


def _memory_figure(f: Found) -> Figure:
    peak = max(f.worker_kb.values(), default=0) / 1024
    return Figure(
        "memory",
        f"peak RSS of a worker (max of {len(f.worker_kb)}) after the intake load",
        round(peak, 1),
        "MB",
        limit=round(f.idle_kb / 1024, 1),
        limit_name="same app imported, URLs loaded, nothing served",
        target=TARGET_RSS_MB,
        target_text="≤ 250 MB",
        note=f"VmHWM per worker (MB): {[round(v / 1024, 1) for v in f.worker_kb.values()]}; "
        f"master RSS {f.master_kb / 1024:.1f} MB",
        extra={"worker_hwm_kb": f.worker_kb, "master_rss_kb": f.master_kb, "idle_kb": f.idle_kb},
    )
