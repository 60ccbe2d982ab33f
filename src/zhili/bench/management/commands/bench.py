"""`zhili bench`: the city-scale benchmark suite (see docs/performance.md)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "城市规模性能基准：生成合成城市并测量（见 docs/performance.md）"

    def run_from_argv(self, argv: list[str]) -> None:
        from zhili.bench.run import main

        status = main(argv[2:])
        if status:
            raise CommandError(f"基准运行失败（退出码 {status}）")

    def handle(self, *args: Any, **options: Any) -> None:  # called only by call_command
        from zhili.bench.run import main

        main([])
