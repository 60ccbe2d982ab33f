from django.core.management.base import BaseCommand, CommandError

from zhili.org.models import User
from zhili.org.services import token_create


class Command(BaseCommand):
    help = "接口令牌：zhili token create USERNAME [--name NAME]；新令牌打印在最后一行"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户新建令牌")
        create.add_argument("username")
        create.add_argument("--name", default="cli")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"用户 {opts['username']} 不存在")
        if not user.is_active:
            raise CommandError(f"用户 {opts['username']} 已停用")
        token, raw = token_create(actor=None, user=user, name=opts["name"])
        self.stdout.write(
            f"已为 {user.username} 新建令牌（前缀 {token.prefix}）。令牌只显示这一次："
        )
        self.stdout.write(raw)
