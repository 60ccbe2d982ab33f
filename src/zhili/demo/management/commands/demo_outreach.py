from django.core.management.base import BaseCommand, CommandError

from zhili.demo.outreach import DemoRefused, demo_outreach


class Command(BaseCommand):
    help = "载入楼栋工作日、包片联系和老旧小区联席会议的演示数据（经真实服务）；仅限 DEBUG=1"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            demo_outreach(say=self.stdout.write)
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
