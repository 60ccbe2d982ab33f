from django.core.management.base import BaseCommand, CommandError

from zhili.demo.cases import DemoRefused, demo_cases


class Command(BaseCommand):
    help = "载入演示纠纷与风险（经真实服务）；仅限 DEBUG=1"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_cases(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
