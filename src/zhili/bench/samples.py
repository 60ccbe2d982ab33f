"""The matters the intake measure submits: categories and areas as a city's hotline sees them,
with what the API needs and what a hand-written writer needs to store the same matter."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

CHANNEL = "hotline"
STREET_LEVELS = ("street", "community", "grid")


@dataclass(frozen=True)
class Sample:
    """One matter to submit: its API payload and what a hand-written writer needs to store it."""

    category_id: int
    category_code: str
    handling_mode: str
    dispatch_limit: tuple[float, str]
    area_id: int
    area_code: str
    area_path: str
    suggested_unit_id: int | None
    description: str
    reporter_name: str
    reporter_phone: str
    answers: dict[str, Any]

    def body(self) -> bytes:
        payload = {
            "category": self.category_code,
            "channel": CHANNEL,
            "description": self.description,
            "area": self.area_code,
            "reporter_name": self.reporter_name,
            "reporter_phone": self.reporter_phone,
            "answers": self.answers,
        }
        return json.dumps(payload, ensure_ascii=False).encode()


def pick_samples(n: int, *, seed: int = 6) -> list[Sample]:
    """Matters to submit: Zipf (1/rank) over the active leaf categories in catalogue order, uniform
    over the current areas at street level or below (so mostly communities and grids, as 12345
    matters are located). Area codes that name more than one area (ended and current) are left
    out: the API looks an area up by code alone."""
    from django.db.models import Count

    from zhili.areas.models import Area
    from zhili.matters.models import Category
    from zhili.matters.routing import rule_unit

    rng = random.Random(seed)
    categories = list(
        Category.objects.filter(is_active=True, parent__isnull=False).order_by("order", "code")
    )
    shared = Area.objects.values("code").annotate(n=Count("id")).filter(n__gt=1).values("code")
    areas = list(
        Area.objects.current()
        .filter(level__in=STREET_LEVELS)
        .exclude(code__in=shared)
        .order_by("id")
    )
    if not categories or not areas:
        raise RuntimeError("no active leaf category or no current street-level area to submit to")
    weights = [1 / (rank + 1) for rank in range(len(categories))]
    units: dict[tuple[int, int], int | None] = {}
    samples = []
    for i in range(n):
        cat, area = rng.choices(categories, weights)[0], rng.choice(areas)
        if (cat.pk, area.pk) not in units:
            unit = rule_unit(cat, area)
            units[(cat.pk, area.pk)] = unit.pk if unit else None
        samples.append(
            Sample(
                category_id=cat.pk,
                category_code=cat.code,
                handling_mode=cat.handling_mode,
                dispatch_limit=cat.limit("dispatch"),
                area_id=area.pk,
                area_code=area.code,
                area_path=area.path,
                suggested_unit_id=units[(cat.pk, area.pk)],
                description=f"{area.name}居民来电反映{cat.name}问题，请尽快核实处理（压测第 {i} 件）。",
                reporter_name=rng.choice("张王李赵刘陈杨黄") + rng.choice(["先生", "女士"]),
                reporter_phone=f"13{rng.randrange(10**9):09d}",
                answers=answers_for(cat.questions or []),
            )
        )
    return samples


def answers_for(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Answers to a category's required questions that pass its checks and block nothing, in
    the form ``check_answers`` stores them."""
    answers: dict[str, Any] = {}
    for q in questions:
        if not q.get("required"):
            continue
        blocked = (q.get("block") or {}).get("values") or []
        free = [o for o in q.get("options") or [] if o not in blocked]
        kind = q["type"]
        if kind in ("single", "multi"):
            answers[q["key"]] = free[0] if kind == "single" else free[:1]
        else:
            answers[q["key"]] = {"number": 1.0, "date": "2026-01-05"}.get(kind, "见诉求内容")
    return answers
