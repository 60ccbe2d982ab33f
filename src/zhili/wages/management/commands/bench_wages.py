"""``zhili bench_wages``: the nightly wage-arrears rule run over a generated set (see
``zhili.wages.bench``). Run it on a database of its own (DATABASE_URL=…/zhili_bench_wages after
``zhili migrate`` and ``zhili load_areas``); it adds rows, it never deletes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from zhili.wages.bench import Size, generate, measure, table


class Command(BaseCommand):
    help = "欠薪预警规则的规模基准（生成数据 + ORM 与 SQL 对照计时）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, default=200, help="项目数（全市约 5000）")
        parser.add_argument("--workers", type=int, default=30, help="每个项目的工人数（全市约 60）")
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--today", default="", help="评估日期，默认今天")
        parser.add_argument("--json", default="", help="结果另存为 JSON 文件")
        parser.add_argument("--reuse", action="store_true", help="不生成数据，只在现有数据上计时")

    def handle(self, *args: Any, **o: Any) -> None:
        today = dt.date.fromisoformat(o["today"]) if o["today"] else dt.date.today()
        size = Size(
            projects=o["projects"], workers=o["workers"], months=o["months"], seed=o["seed"]
        )
        t = dt.datetime.now()
        counts = {} if o["reuse"] else generate(size, today=today)
        self.stdout.write(f"生成用时 {(dt.datetime.now() - t).total_seconds():.1f} s")
        result = measure(today=today)
        result |= {
            "size": size.__dict__,
            "counts": counts,
            "db": connection.vendor,
            "today": str(today),
        }
        self.stdout.write(table(counts, result))
        if o["json"]:
            with open(o["json"], "w", encoding="utf-8") as f:
                json.dump(result, f, ensure_ascii=False, indent=2)
