"""`zhili demo_matters`: demo matters through the real services (DEBUG only; once)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhili.demo.loader import DemoRefused
from zhili.demo.matters import demo_has_matters, demo_matters_generate


class Command(BaseCommand):
    help = "生成演示诉求（经由真实的办理流程，带历史时间），随后执行一次时限巡查；仅限 DEBUG=1"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=3000, help="诉求件数（默认 3000）")
        parser.add_argument("--days", type=int, default=90, help="分布在最近多少天（默认 90）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument(
            "--force", action="store_true", help="已有诉求时仍然追加（默认跳过，以便重复执行）"
        )
        parser.add_argument(
            "--engine",
            choices=["machine", "services"],
            default="machine",
            help="machine：在内存中按服务的规则办理并批量写入（默认，快）；services：逐步经由服务",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["count"] < 1 or opts["days"] < 1:
            raise CommandError("--count 和 --days 须为正数")
        if demo_has_matters() and not opts["force"]:
            self.stdout.write("已有诉求数据，跳过演示诉求的生成（需要追加时用 --force）")
            return
        try:
            result = demo_matters_generate(
                count=opts["count"],
                days=opts["days"],
                seed=opts["seed"],
                say=self.stdout.write,
                engine=opts["engine"],
            )
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        counts = {k: v for k, v in result.items() if k != "sweep"}
        self.stdout.write("演示诉求：" + "，".join(f"{k} {v}" for k, v in sorted(counts.items())))
