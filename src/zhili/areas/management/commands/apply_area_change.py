from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhili.areas.changes import division_change_apply
from zhili.core.errors import ZhiliError
from zhili.core.system import system_user


class Command(BaseCommand):
    help = "应用一份区划变更文件（TOML），全部成功或全部不变"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", type=Path)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        path: Path = opts["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            change, applied = division_change_apply(actor=system_user(), data=path.read_bytes())
        except ZhiliError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{change.title}：{'已应用' if applied else '此前已应用，未重复执行'}")
