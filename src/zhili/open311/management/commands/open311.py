from django.core.management.base import BaseCommand, CommandError

from zhili.areas.models import Area
from zhili.core.errors import ZhiliError
from zhili.open311 import selectors
from zhili.open311.services import key_create, key_revoke


class Command(BaseCommand):
    help = (
        "Open311 接口密钥：zhili open311 key create NAME [--area CODE]（新密钥打印在最后一行）、"
        "key list、key revoke PREFIX"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="what", required=True)
        key = sub.add_parser("key", help="接口密钥")
        actions = key.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="新建密钥")
        create.add_argument("name")
        create.add_argument("--area", default="", help="限定区域代码：只能在该区域内提交和查询")
        actions.add_parser("list", help="列出密钥")
        revoke = actions.add_parser("revoke", help="吊销密钥")
        revoke.add_argument("prefix", help="密钥前缀（key list 中显示）")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            getattr(self, f"_{opts['action']}")(opts)
        except ZhiliError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, opts):  # type: ignore[no-untyped-def]
        area = None
        if opts["area"]:
            area = Area.objects.filter(code=opts["area"]).first()
            if area is None:
                raise CommandError(f"区域 {opts['area']} 不存在")
        key, raw = key_create(actor=None, name=opts["name"], area=area)
        scope = f"限定 {area.name}（{area.code}）" if area else "全市"
        self.stdout.write(f"已新建 Open311 密钥“{key.name}”（前缀 {key.prefix}，{scope}）。")
        self.stdout.write("密钥只显示这一次，作为 api_key 参数提交：")
        self.stdout.write(raw)

    def _list(self, opts):  # type: ignore[no-untyped-def]
        for key in selectors.key_list():
            state = "已吊销" if key.revoked_at else "有效"
            scope = key.area.code if key.area else "全市"
            self.stdout.write(f"{key.prefix}\t{key.name}\t{scope}\t{state}")

    def _revoke(self, opts):  # type: ignore[no-untyped-def]
        keys = [k for k in selectors.key_list() if k.prefix == opts["prefix"]]
        if len(keys) != 1:
            raise CommandError(f"前缀 {opts['prefix']} 对应 {len(keys)} 个密钥")
        key_revoke(actor=None, key=keys[0])
        self.stdout.write(f"已吊销密钥“{keys[0].name}”（前缀 {keys[0].prefix}）")
