"""zhili anonymise_closed [--years N] [--dry-run]: blank the reporter's name and phone of
matters that ended more than N years ago (ZHILI_RETENTION_YEARS, 5 by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhili.matters.retention import anonymise_closed


class Command(BaseCommand):
    help = "将超过保留年限的已结诉求的诉求人姓名和电话匿名化（--dry-run 只统计）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--years", type=int, default=None, help="保留年限（默认 ZHILI_RETENTION_YEARS）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不修改")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            out = anonymise_closed(years=options["years"], dry_run=options["dry_run"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"保留 {out.years} 年（{out.cutoff:%Y-%m-%d} 之前结束）：已结束的诉求 {out.ended_before} 件，"
            f"其中仍有诉求人信息 {out.to_anonymise} 件"
        )
        if options["dry_run"]:
            self.stdout.write("试运行：未修改任何数据")
        else:
            self.stdout.write(f"已匿名化 {out.anonymised} 件")
