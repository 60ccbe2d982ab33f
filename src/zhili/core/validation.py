"""Small input rules shared by the services of every module."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from zhili.core.errors import ValidationFailed


def clean_text(value: str | None, label: str, *, required: bool = True, limit: int = 0) -> str:
    """Stripped text; empty or too long answers 422 with a Chinese message naming the field."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"{label}不能为空", code="required", detail={"field": label})
    if limit and len(value) > limit:
        raise ValidationFailed(
            f"{label}不能超过 {limit} 个字", code="too_long", detail={"field": label}
        )
    return value


def next_in_sequence(counter_model: Any, **key: Any) -> int:
    """The next value of a per-key counter (per day, per year, ...), inside the caller's
    transaction; the row lock serialises concurrent callers."""
    counter, _ = counter_model.objects.select_for_update().get_or_create(**key)
    counter_model.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return int(counter.last)
