"""The category catalogue: the shipped default, and (for administrators) xlsx import/export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"


def default_catalogue() -> list[dict[str, Any]]:
    """Rows (group first, then its children) of the shipped catalogue."""
    doc = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    order = 0
    for group in doc["groups"]:
        order += 10
        rows.append(
            {
                "code": group["code"],
                "name": group["name"],
                "parent": None,
                "topic": group["topic"],
                "handling_mode": "timed",
                "order": order,
            }
        )
        for child in group["children"]:
            order += 1
            rows.append(
                {
                    "code": child["code"],
                    "name": child["name"],
                    "parent": group["code"],
                    "topic": child.get("topic", group["topic"]),
                    "handling_mode": child.get("mode", "timed"),
                    "hint": child.get("hint", ""),
                    "questions": child.get("questions", []),
                    "allow_anonymous": child.get("allow_anonymous", False),
                    "order": order,
                }
            )
    return rows


def install_default(category_model: Any) -> int:
    """Create the default categories that are missing (by code); returns how many were created."""
    created = 0
    by_code: dict[str, Any] = {}
    for row in default_catalogue():
        parent_code = row.pop("parent")
        row["parent"] = by_code.get(parent_code) if parent_code else None
        obj, was_created = category_model.objects.get_or_create(code=row["code"], defaults=row)
        by_code[obj.code] = obj
        created += was_created
    return created
