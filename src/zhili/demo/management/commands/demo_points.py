from django.core.management.base import BaseCommand, CommandError

from zhili.demo.loader import DemoRefused
from zhili.points.demo import demo_points


class Command(BaseCommand):
    help = "载入积分银行演示数据（经真实服务）；仅限 DEBUG=1"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_points(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
