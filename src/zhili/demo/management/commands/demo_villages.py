from django.core.management.base import BaseCommand, CommandError

from zhili.demo.loader import DemoRefused
from zhili.demo.villages import demo_villages


class Command(BaseCommand):
    help = "载入四议两公开、一事一议和法律顾问演示数据（经真实服务）；仅限 DEBUG=1"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_villages(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
