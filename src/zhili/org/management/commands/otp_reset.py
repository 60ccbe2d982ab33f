"""zhili otp_reset USERNAME: remove a user's authenticator and recovery codes (a lost phone);
they enrol again at their next login. Audited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhili.org import second_factor
from zhili.org.models import User


class Command(BaseCommand):
    help = "重置用户的双因素认证（手机丢失时），下次登录时重新绑定"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"用户 {options['username']} 不存在")
        removed = second_factor.reset(actor=None, user=user)
        self.stdout.write(f"已重置 {user.username} 的双因素认证（删除 {removed} 个设备）")
