"""Display helpers of the cockpit's figures (pages, big screen, print)."""

from __future__ import annotations

from typing import Any


def shown(f: dict[str, Any], value: Any = "__own__") -> str:
    v = f["value"] if value == "__own__" else value
    if v is None:
        return "—"
    if f["kind"] == "rate":
        return f"{v * 100:.1f}%"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"


def table(data: dict[str, Any]) -> dict[str, Any]:
    """Children × figures, for the drill-down table (figures that split by child)."""
    figures = [
        (s, f) for s in data["sections"] for f in s["figures"] if f["children"] or data["children"]
    ]
    head = [{"section": s["title"], "label": f["label"], "unit": f.get("unit", ""), "key": f["key"]}
            for s, f in figures]  # fmt: skip
    rows = []
    for c in data["children"]:
        cells = [shown(f, f["children"].get(c["code"], 0 if f["kind"] == "count" else None))
                 for _, f in figures]  # fmt: skip
        rows.append({"code": c["code"], "name": c["name"], "cells": cells})
    return {"head": head, "rows": rows}


def cards(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "title": s["title"],
            "link": s["link"],
            "key": s["key"],
            "figures": [{**f, "shown": shown(f)} for f in s["figures"]],
        }
        for s in data["sections"]
    ]
