from django.core.management.base import BaseCommand, CommandError

from zhili.demo.loader import DemoRefused
from zhili.wages.demo import demo_wages


class Command(BaseCommand):
    help = "载入根治欠薪演示数据（虚构；经真实服务和导入）；仅限 DEBUG=1"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_wages(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
