from django.core.management.base import BaseCommand, CommandError

from zhili.demo.loader import DemoRefused, demo_load


class Command(BaseCommand):
    help = "载入演示数据（单位、网格、演示账号）；仅限 DEBUG=1"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_load(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
