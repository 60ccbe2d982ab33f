from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """A share in 0..1 as a percentage with two decimals (— when there is none)."""
    return "—" if value is None else f"{value * 100:.2f}%"
