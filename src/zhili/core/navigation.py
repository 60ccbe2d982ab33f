"""The navigation shows only the modules that are installed and that the user may use.

Each app's AppConfig lists its entries as ``nav = [NavItem(...), ...]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from zhili.core.i18n import Label
from zhili.core.scoping import has_any, user_grants


@dataclass(frozen=True)
class NavItem:
    label: Label
    url_name: str
    model: str  # "app_label.ModelName" whose permission gates the entry
    action: str = "view"
    group: Label = ""
    order: int = 100
    unit_staff: bool = False  # also shown to staff of a unit (they see what is dispatched to it)


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The menu of every page. It depends only on the permissions the user's current grants hold
    (not on where), on whether the user belongs to a unit and on the language, so it is drawn once
    per such combination and process (``_MENUS``) instead of asking dozens of questions a page."""
    if not user.is_authenticated:
        return []
    held = frozenset(p for g in user_grants(user) for p in g.permissions)
    key = (bool(user.is_superuser), held, bool(getattr(user, "unit_id", None)),
           translation.get_language())  # fmt: skip
    menu = _MENUS.get(key)
    if menu is None:
        if len(_MENUS) >= 512:  # a bound, not a policy: real installations have a few dozen roles
            _MENUS.clear()
        menu = _MENUS[key] = _menu(user)
    return [dict(e, children=[dict(c) for c in e["children"]]) if "children" in e else dict(e)
            for e in menu]  # fmt: skip


_MENUS: dict[tuple[Any, ...], list[dict[str, Any]]] = {}


def _menu(user: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    items: list[tuple[int, NavItem]] = []
    for config in apps.get_app_configs():
        for item in getattr(config, "nav", ()):
            items.append((item.order, item))
    out: list[dict[str, Any]] = []
    for _, item in sorted(items, key=lambda pair: pair[0]):
        model = apps.get_model(item.model)
        if not has_any(user, model, item.action) and not (
            item.unit_staff and getattr(user, "unit_id", None)
        ):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {"label": item.label, "url": url, "url_name": item.url_name}
        if item.group:
            group = str(item.group)  # in the page's language: apps name their groups alike
            if group not in groups:
                groups[group] = []
                out.append({"label": item.group, "children": groups[group]})
            groups[group].append(entry)
        else:
            out.append(entry)
    return out
