from typing import Any

from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "system"


def system_user() -> Any:
    """The account that loaders and background tasks act as (cannot log in)."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"is_superuser": True, "is_staff": False, "full_name": "系统"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
