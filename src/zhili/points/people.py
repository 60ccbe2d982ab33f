"""The points bank's people of one village, for the demo and the tests (invented accounts,
labelled as such): a scorer, a supervisor, the village committee and the shopkeeper."""

from __future__ import annotations

from typing import Any

from zhili.areas.models import Area

# (username, full name, role slug)
PEOPLE = [
    ("points_scorer", "评分员（演示）", "points_scorer"),
    ("points_scorer2", "评分员二（演示）", "points_scorer"),
    ("points_supervisor", "监委会审核员（演示）", "points_supervisor"),
    ("points_committee", "村两委积分管理员（演示）", "points_committee"),
    ("points_shop", "积分超市管理员（演示）", "points_shopkeeper"),
]
DEMO_PASSWORD = "Zhili-demo-2026"


def village_people(village: Area, *, prefix: str = "") -> dict[str, Any]:
    """Create (once) the village's points people with their grants; returns username -> user."""
    from zhili.core.system import system_user
    from zhili.demo.loader import DEMO_PASSWORD
    from zhili.org.models import Role, RoleGrant, User
    from zhili.org.services import grant_create, user_create

    actor = system_user()
    out = {}
    for username, full_name, role in PEOPLE:
        name = f"{prefix}{username}"
        user = User.objects.filter(username=name).first()
        if user is None:
            user = user_create(
                actor=actor,
                username=name,
                password=DEMO_PASSWORD,
                area=village,
                full_name=full_name,
                check_password=False,
            )
        role_obj = Role.objects.get(slug=role)
        if not RoleGrant.objects.filter(user=user, role=role_obj, area=village).exists():
            grant_create(actor=actor, user=user, role=role_obj, area=village)
        out[username] = user
    return out
