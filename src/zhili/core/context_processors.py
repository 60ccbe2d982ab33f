from typing import Any

from django.http import HttpRequest

from zhili.core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None:
        return {"nav": []}
    context: dict[str, Any] = {"nav": nav_for(user)}
    if user.is_authenticated:
        from zhili.core.inbox import unread_count

        context["inbox_unread"] = unread_count(user)
    return context
