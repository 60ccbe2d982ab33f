"""The menu is drawn once per set of permissions held (core.navigation): the same menu as asking
each entry's question, for every demo user, and a new one as soon as the permissions change."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from zhili.core.navigation import _menu, nav_for
from zhili.core.scoping import forget_grants
from zhili.org.models import RoleGrant


def _urls(menu: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in menu:
        out += [c["url"] for c in e["children"]] if "children" in e else [e["url"]]
    return out


def test_the_kept_menu_is_the_menu_each_user_would_be_drawn(users: dict[str, Any]) -> None:
    seen = set()
    for user in users.values():
        for language in ("zh-hans", "en"):
            with translation.override(language):
                kept, drawn = nav_for(user), _menu(user)
                assert _urls(kept) == _urls(drawn), user.username
                assert [str(e["label"]) for e in kept] == [str(e["label"]) for e in drawn]
                seen.add(tuple(_urls(kept)))
    assert len(seen) > 3  # the demo's roles do see different menus


def test_a_role_that_gains_a_permission_shows_its_entry_at_once(users: dict[str, Any]) -> None:
    grid = users["grid_jfb_01"]
    before = _urls(nav_for(grid))
    assert "/org/units/" not in before
    role = RoleGrant.objects.filter(user=grid).select_related("role").first().role  # type: ignore[union-attr]
    role.permissions = [*role.permissions, "org.unit.view"]
    role.save()
    forget_grants(grid)  # a new request reads the grants again
    assert "/org/units/" in _urls(nav_for(grid))
    assert _urls(nav_for(grid)) == _urls(_menu(grid))


def test_every_entry_of_every_users_menu_opens(users: dict[str, Any], client: Any) -> None:
    """The menu offers a page only to those who may open it: the grid worker's 雪亮工程点位
    answered 404 (its page asked for the cockpit's right, the menu for the points')."""
    opened = 0
    for name, user in sorted(users.items()):
        if not user.is_active:
            continue
        client.force_login(user)
        for url in _urls(nav_for(user)):
            status = client.get(url).status_code
            assert status in (200, 302), (name, url, status)
            opened += 1
    assert opened > 50
