from django.core.management.base import BaseCommand, CommandError

from zhili.targets.demo import DemoRefused, targets_demo_load


class Command(BaseCommand):
    help = (
        "载入打表推进演示数据（37 个市级责任单位、2021 年 108 项目标任务及一季进展）；仅限 DEBUG=1"
    )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            targets_demo_load(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
