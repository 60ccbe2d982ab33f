"""System checks of the deployment (``zhili check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_key_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Phones and ID numbers are sealed with ZHILI_FIELD_KEY (core.privacy_crypto). Without it the
    key is derived from SECRET_KEY, so rotating the secret would lose every sealed value."""
    if getattr(settings, "ZHILI_FIELD_KEY", ""):
        return []
    return [
        checks.Warning(
            "ZHILI_FIELD_KEY 未设置：电话、身份证号等加密字段的密钥由 SECRET_KEY 派生，"
            "更换 SECRET_KEY 后将无法解密。",
            hint="生产环境设置 ZHILI_FIELD_KEY（长随机串，与 SECRET_KEY 分开保管），"
            "更换时用 ZHILI_FIELD_KEYS_OLD 与 zhili rotate_field_key。",
            id="zhili.W001",
        )
    ]
