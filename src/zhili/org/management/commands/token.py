from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhili.org.models import ApiToken, User
from zhili.org.services import token_create, token_revoke


def token_state(token: ApiToken) -> str:
    if token.revoked_at:
        return "已吊销"
    if token.expires_at and token.expires_at <= timezone.now():
        return "已过期"
    return "有效"


class Command(BaseCommand):
    help = (
        "接口令牌：zhili token create USERNAME [--name NAME] [--days N]（新令牌打印在最后一行）；"
        "zhili token list [USERNAME] [--all]；zhili token revoke PREFIX"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户新建令牌")
        create.add_argument("username")
        create.add_argument("--name", default="cli")
        create.add_argument(
            "--days", type=int, default=None, help="有效天数（默认 ZHILI_TOKEN_DAYS；0 为不过期）"
        )
        listing = sub.add_parser("list", help="列出令牌（默认只列有效的）")
        listing.add_argument("username", nargs="?")
        listing.add_argument("--all", action="store_true", help="也列出已吊销和已过期的")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        getattr(self, f"_{opts['action']}")(opts)

    def _create(self, opts):  # type: ignore[no-untyped-def]
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"用户 {opts['username']} 不存在")
        if not user.is_active:
            raise CommandError(f"用户 {opts['username']} 已停用")
        if opts["days"] is not None and opts["days"] < 0:
            raise CommandError("--days 不能为负数")
        token, raw = token_create(actor=None, user=user, name=opts["name"], days=opts["days"])
        expires = (
            f"，{timezone.localtime(token.expires_at):%Y-%m-%d %H:%M} 到期"
            if token.expires_at
            else "，不过期"
        )
        self.stdout.write(
            f"已为 {user.username} 新建令牌（前缀 {token.prefix}{expires}）。令牌只显示这一次："
        )
        self.stdout.write(raw)

    def _list(self, opts):  # type: ignore[no-untyped-def]
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "id")
        if opts["username"]:
            tokens = tokens.filter(user__username=opts["username"])
        shown = 0
        for t in tokens:
            state = token_state(t)
            if state != "有效" and not opts["all"]:
                continue
            shown += 1
            used = (
                f"{timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M}" if t.last_used_at else "从未"
            )
            expires = f"{timezone.localtime(t.expires_at):%Y-%m-%d}" if t.expires_at else "不过期"
            self.stdout.write(
                f"{t.prefix}\t{t.user.username}\t{t.name or '-'}\t"
                f"创建 {timezone.localtime(t.created_at):%Y-%m-%d}\t最近使用 {used}\t"
                f"到期 {expires}\t{state}"
            )
        self.stdout.write(f"共 {shown} 个令牌")

    def _revoke(self, opts):  # type: ignore[no-untyped-def]
        live = ApiToken.objects.filter(prefix=opts["prefix"], revoked_at__isnull=True)
        found = list(live.select_related("user", "user__area")[:2])
        if not found:
            raise CommandError(f"没有前缀为 {opts['prefix']} 的有效令牌")
        if len(found) > 1:
            raise CommandError(f"前缀 {opts['prefix']} 对应多个令牌，请用 token list 核对")
        token_revoke(actor=None, token=found[0])
        self.stdout.write(f"已吊销 {found[0].user.username} 的令牌 {found[0].prefix}")
