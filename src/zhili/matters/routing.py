"""Routing: the rule-based responsible unit for (category, area)."""

from __future__ import annotations

from typing import Any

from zhili.matters.models import RoutingRule


def rule_unit(category: Any, area: Any) -> Any:
    """The unit of the rule on the deepest ancestor-or-self of ``area`` for ``category``."""
    codes = [*area.ancestor_codes, area.code]
    rules = RoutingRule.objects.filter(category=category, area__code__in=codes).select_related(
        "unit", "area"
    )
    best = max(rules, key=lambda r: r.area.depth, default=None)
    return best.unit if best else None
