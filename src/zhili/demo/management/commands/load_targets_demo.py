from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhili.targets.demo import DemoRefused, targets_demo_load


class Command(BaseCommand):
    help = (
        "载入打表推进演示数据（37 个市级责任单位、2021 年 108 项目标任务及一季进展）；仅限 DEBUG=1"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--engine",
            choices=["bulk", "services"],
            default="bulk",
            help="bulk：按服务的规则办理、成批写入（默认，快）；services：逐步经由服务",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            targets_demo_load(say=self.stdout.write, engine=opts["engine"])
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
