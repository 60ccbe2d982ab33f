"""``zhili points_bench --scale village``: postings/s of the points ledger through the API,
the service and plain SQL, on the current database (it adds accounts and transfers to it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "积分记账性能：API、服务与纯 SQL 的每秒记账笔数"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=("village", "city"), default="village")
        parser.add_argument("--n", type=int, default=500, help="每种方式的记账笔数")
        parser.add_argument("--households", type=int, default=None, help="每村户数")

    def handle(self, *args: Any, **opts: Any) -> None:
        from zhili.points.bench import measure

        measure(scale=opts["scale"], n=opts["n"], households=opts["households"],
                say=self.stdout.write)  # fmt: skip
