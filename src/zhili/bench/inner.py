"""The child process of ``zhili bench`` for one database (run.py starts it with DATABASE_URL set)."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import django


def _say(msg: str) -> None:
    print(msg, flush=True)


def build(args: dict[str, Any]) -> dict[str, Any]:
    """Migrate, load the tree, set up the city and generate the matters."""
    from django.core.management import call_command
    from django.utils import timezone

    from zhili.bench.city import city_generate, city_setup

    times: dict[str, float] = {}
    start = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_areas", verbosity=0)
    times["tree_s"] = time.perf_counter() - start
    start = time.perf_counter()
    city_setup(say=_say)
    times["city_s"] = time.perf_counter() - start
    start = time.perf_counter()
    now = timezone.now()
    made = city_generate(
        count=args["scale"], seed=args["seed"], now=now, workers=args["workers"], say=_say
    )
    times["generate_s"] = time.perf_counter() - start
    times["generate_per_s"] = args["scale"] / times["generate_s"]
    start = time.perf_counter()
    analyze()
    times["analyze_s"] = time.perf_counter() - start
    return {"now": now.isoformat(), "times": times, **made}


def analyze() -> None:
    """Fresh planner statistics, as a production database has them (autovacuum/ANALYZE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def main(raw: str) -> int:
    # A stopped run (SIGTERM) unwinds like an error: the load's context managers put the
    # indexes and foreign keys they dropped back (bench.sink), or the city is left without them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    django.setup()
    import logging

    # One log line per notice would drown the table (the sweep sends thousands).
    for name in ("zhili.notify", "zhili.supervision"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import datetime as dt

    from zhili.bench.city import bench_users
    from zhili.bench.context import BenchContext
    from zhili.bench.figures import Figure, table, write_results
    from zhili.bench.run import meta
    from zhili.org.models import User

    args = json.loads(raw)
    db = args["db"]
    state = Path(args["out"]) / f".{db}-state.json"
    if args["reuse"] and state.exists():
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)  # code may have moved on
        built = json.loads(state.read_text())
    else:
        _say(f"== {db}: 生成 {args['scale']:,} 件诉求的城市")
        built = build(args)
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(built, ensure_ascii=False, default=str))
    users = bench_users({u.username: u for u in User.objects.filter(username__startswith="bench_")})
    ctx = BenchContext(
        db=db,
        database_url=os.environ["DATABASE_URL"],
        now=dt.datetime.fromisoformat(built["now"]),
        users=users,
        scale=args["scale"],
        quick=args["quick"],
        say=_say,
    )
    only = [m.strip() for m in args["only"].split(",") if m.strip()]
    figures: list[Figure] = []
    measuring = time.perf_counter()
    for name in only:
        _say(f"== {db}: {name}")
        figures += run_measure(name, ctx, args)
    _say(table(figures))
    day = time.strftime("%Y-%m-%d")
    path = write_results(
        Path(args["out"]) / f"{day}-{db}.json",
        meta(
            db,
            args,
            {
                "build": {k: built.get(k) for k in ("times", "phases", "outcomes", "rows", "days")},
                "measures_s": round(time.perf_counter() - measuring, 1),
            },
        ),
        figures,
    )
    _say(f"结果已写入 {path}")
    return 0


def run_measure(name: str, ctx: Any, args: dict[str, Any]) -> list[Any]:
    if name == "intake":
        from zhili.bench.intake import measure_intake

        seconds = 2.0 if ctx.quick else args["seconds"]
        return measure_intake(ctx, seconds=seconds)
    if name == "list":
        from zhili.bench.reads import measure_lists

        return measure_lists(ctx, n=10 if ctx.quick else 200)
    if name == "dashboard":
        from zhili.bench.reads import measure_dashboard

        return measure_dashboard(ctx, n=5 if ctx.quick else 50)
    if name == "detail":
        from zhili.bench.detail import measure_detail

        return measure_detail(ctx, rounds=1 if ctx.quick else 3)
    if name == "cockpit":
        from zhili.bench.cockpit import measure_cockpit

        return measure_cockpit(ctx, n=5 if ctx.quick else 50)
    if name == "sweep":
        from zhili.bench.sweep import measure_sweep

        return measure_sweep(ctx)
    if name == "hotspots":
        from zhili.bench.hotspots import measure_hotspots

        return measure_hotspots(ctx)
    if name == "points":
        from zhili.points.bench import figures as points_figures

        n = 20 if ctx.quick else 1000
        return points_figures(ctx, scale="village", n=n) + points_figures(ctx, scale="city", n=n)
    if name == "wages":
        from zhili.wages.bench import Size
        from zhili.wages.bench import figures as wages_figures

        size = (
            Size(projects=20, workers=10, months=3, seed=args["seed"])
            if ctx.quick
            else Size(
                projects=args.get("wages_projects", 5000),
                workers=args.get("wages_workers", 60),
                months=args.get("wages_months", 12),
                seed=args["seed"],
            )
        )
        return wages_figures(ctx, size)
    raise SystemExit(f"未知的测量：{name}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
