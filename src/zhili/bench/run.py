"""``make bench`` / ``zhili bench``: build the synthetic city on a fresh database and measure it.

For each database asked for (``--db postgresql``, ``--db sqlite`` or ``--db both``) a child process
gets a fresh database (PostgreSQL ``zhili_bench``, or ``BENCH_PG_NAME``, on ``BENCH_PG_URL``'s
server, or ``var/bench/bench.sqlite3``), migrates it, loads the real Chongqing tree, sets up the city, generates
``--scale`` matters, refreshes the planner's statistics and runs the measures; the table is printed
and written to ``bench/results/<date>-<db>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

MEASURES = (  # intake last
    "list",
    "dashboard",
    "detail",
    "cockpit",
    "sweep",
    "hotspots",
    "points",
    "wages",
    "intake",
)
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def parse_scale(text: str) -> int:
    t = text.strip().lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    try:
        value = int(float(t[:-1] if factor > 1 else t) * factor)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"规模无效：{text}（例如 1M、200k、5000）") from exc
    if value < 1:
        raise argparse.ArgumentTypeError("规模至少为 1")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zhili bench", description="城市规模性能基准")
    p.add_argument("--scale", type=parse_scale, default=parse_scale("1M"),
                   help="生成的诉求数（默认 1M；全量 10M）")  # fmt: skip
    p.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="postgresql")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--workers", type=int, default=1, help="生成诉求的进程数（按日期分片）")
    p.add_argument("--only", default=",".join(MEASURES), help="要跑的测量，逗号分隔")
    p.add_argument("--seconds", type=float, default=30, help="写入负载的时长（秒）")
    p.add_argument("--out", default="bench/results", help="结果目录")
    p.add_argument("--reuse", action="store_true", help="沿用上次生成的数据库（只重跑测量）")
    p.add_argument("--quick", action="store_true", help="极短的测量（测试用）")
    p.add_argument("--show", metavar="FILE", help="只打印一个结果文件的表格（Markdown）")
    p.add_argument("--growth", metavar="SCALES",
                   help="增长曲线：依次在这些规模（如 100k,1M,3M）各建一座新城市并测量，最后并列比较")  # fmt: skip
    p.add_argument("--growth-show", metavar="FILE", nargs="+",
                   help="把已有的几个结果文件并列成增长曲线（表格和 SVG 图）")  # fmt: skip
    p.add_argument("--wages-projects", type=parse_scale, default=5000,
                   help="欠薪基准的在建项目数（全市约 5000）")  # fmt: skip
    p.add_argument("--wages-workers", type=int, default=60, help="欠薪基准每个项目的工人数")
    p.add_argument("--wages-months", type=int, default=12, help="欠薪基准的月数")
    return p


def database_url(db: str, var: Path) -> str:
    if db == "sqlite":
        return f"sqlite:///{var / 'bench' / 'bench.sqlite3'}"
    base = os.environ.get("BENCH_PG_URL", DEFAULT_PG)
    return base.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_PG_NAME", "zhili_bench")


def fresh_database(db: str, url: str) -> None:
    if db == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for p in path.parent.glob(path.name + "*"):
            p.unlink()
        return
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.show:
        from zhili.bench.figures import read_results, table

        info, figures = read_results(Path(args.show))
        print(
            f"{info.get('command', '')} — {info.get('db_version', '')}, {info.get('machine', '')}"
        )
        print(table(figures))
        return 0
    if args.growth_show:
        from zhili.bench.growth import report

        paths = [Path(p) for p in args.growth_show]
        print(report(paths, Path(args.out) / f"{dt.date.today().isoformat()}-growth.svg"))
        return 0
    if args.growth:
        return growth(args)
    return run_once(args)


def growth(args: argparse.Namespace) -> int:
    """A fresh city at each scale of ``--growth``, measured; then the curve over them."""
    from zhili.bench.growth import report

    scales = sorted(parse_scale(s) for s in args.growth.split(",") if s.strip())
    out, status, written = Path(args.out), 0, []
    for scale in scales:
        sub = argparse.Namespace(**{**vars(args), "scale": scale, "growth": None,
                                    "out": str(out / "growth" / str(scale))})  # fmt: skip
        status |= run_once(sub)
        found = sorted(
            Path(sub.out).glob(f"*-{'postgresql' if args.db != 'sqlite' else 'sqlite'}.json")
        )
        written += found[-1:]
    if written:
        print(report(written, out / f"{dt.date.today().isoformat()}-growth.svg"))
    return status


def run_once(args: argparse.Namespace) -> int:
    var = Path(os.environ.get("ZHILI_VAR", Path.cwd() / "var")).resolve()
    dbs = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    status = 0
    for db in dbs:
        url = database_url(db, var)
        if args.reuse and not (Path(args.out) / f".{db}-state.json").exists():
            # Without the state the inner run would generate a second city into the one there.
            print(f"--reuse：{Path(args.out) / f'.{db}-state.json'} 不存在（这个 --out 里没有"
                  f"生成过城市）；去掉 --reuse 重新生成，或把上次的状态文件复制过来", file=sys.stderr)  # fmt: skip
            status |= 2
            continue
        if not args.reuse:
            fresh_database(db, url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-only-secret-key"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "ZHILI_VAR": str(var),
            "DJANGO_SETTINGS_MODULE": "zhili.settings",
        }
        cmd = [sys.executable, "-m", "zhili.bench.inner", json.dumps({**vars(args), "db": db})]
        status |= subprocess.call(cmd, env=env)
    return status


def meta(db: str, args: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if db == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    return {
        "date": dt.date.today().isoformat(),
        "db": db,
        "db_version": version,
        "scale": args["scale"],
        "seed": args["seed"],
        "command": _command(args),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        **extra,
    }


def _command(args: dict[str, Any]) -> str:
    """The command as run, with the options that change what is measured."""
    cmd = (
        f"zhili bench --db {args['db']} --scale {args['scale']} --seed {args['seed']} "
        f"--workers {args.get('workers', 1)}"
    )
    if args.get("reuse"):
        cmd += " --reuse"
    only = args.get("only", ",".join(MEASURES))
    if only != ",".join(MEASURES):
        cmd += f" --only {only}"
    if "wages" in only.split(","):
        cmd += (
            f" --wages-projects {args.get('wages_projects', 5000)}"
            f" --wages-workers {args.get('wages_workers', 60)}"
            f" --wages-months {args.get('wages_months', 12)}"
        )
    return cmd


if __name__ == "__main__":
    sys.exit(main())
