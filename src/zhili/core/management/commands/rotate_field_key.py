"""zhili rotate_field_key: re-seal every encrypted personal identifier under ZHILI_FIELD_KEY.

Rotation: put the old key in ZHILI_FIELD_KEYS_OLD and the new one in ZHILI_FIELD_KEY (every
process: server and worker), run this command, then drop the old key. Values already under the
current key are left as they are, so the command can be run again after an interruption."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from zhili.core.fields import SealedCharField
from zhili.core.privacy_crypto import current_key_id, reseal_rows


def sealed_models() -> list[tuple[Any, list[str]]]:
    out = []
    for model in apps.get_models():
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, SealedCharField)]
        if fields:
            out.append((model, fields))
    return out


class Command(BaseCommand):
    help = "用当前的 ZHILI_FIELD_KEY 重新加密所有加密存储的个人信息（证件号、电话、银行卡号）"

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model, fields in sealed_models():
            with transaction.atomic():
                n = reseal_rows(model, fields)
            total += n
            self.stdout.write(f"{model._meta.label}（{', '.join(fields)}）：重新加密 {n} 个值")
        self.stdout.write(f"完成：共 {total} 个值，当前密钥 {current_key_id()}")
