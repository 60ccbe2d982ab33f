"""The navigation shows only the modules that are installed and that the user may use.

Each app's AppConfig lists its entries as ``nav = [NavItem(...), ...]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse

from zhili.core.i18n import Label
from zhili.core.scoping import has_any


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
    if not user.is_authenticated:
        return []
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
