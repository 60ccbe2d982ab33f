from typing import Any

from django.http import HttpRequest

from zhili.core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav": []}
    return {"nav": nav_for(user)}
