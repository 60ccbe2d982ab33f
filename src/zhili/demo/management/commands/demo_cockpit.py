from django.core.management.base import BaseCommand, CommandError

from zhili.demo.cases import DemoRefused
from zhili.demo.cockpit import demo_cockpit


class Command(BaseCommand):
    help = (
        "载入演示平安指标、安全感调查、雪亮工程点位和公示屏（经真实服务，数据为虚构）；仅限 DEBUG=1"
    )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_cockpit(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
