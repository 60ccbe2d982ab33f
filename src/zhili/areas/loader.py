"""Loading the official tree: the committed 2023 extract, then every bundled division change."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import transaction

from zhili.areas.changes import division_change_apply, parse_change_file
from zhili.areas.models import Area, DivisionChange
from zhili.core import lookups
from zhili.core.audit import audit_record, root_path

DATA_DIR = Path(__file__).resolve().parent / "data"
BASE_FILE = DATA_DIR / "chongqing-2023.csv"
CHANGES_DIR = DATA_DIR / "changes"
BATCH = 2000


def read_base(path: Path = BASE_FILE) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@transaction.atomic
def base_tree_load(
    *, actor: Any = None, path: Path = BASE_FILE, progress: Callable[[int, int], None] | None = None
) -> int:
    """Insert the statistical tree if it is not there yet. Returns the number of areas created."""
    rows = read_base(path)
    if Area.objects.filter(code=rows[0]["code"]).exists():
        return 0
    paths: dict[str, str] = {}
    depths: dict[str, int] = {}
    objs: list[Area] = []
    for r in rows:  # parents come before children (sorted by code length)
        parent_path = paths.get(r["parent_code"], "")
        paths[r["code"]] = f"{parent_path}{r['code']}/"
        depths[r["code"]] = depths[r["parent_code"]] + 1 if r["parent_code"] else 0
        objs.append(
            Area(
                code=r["code"],
                name=r["name"],
                level=r["level"],
                kind=r["kind"],
                path=paths[r["code"]],
                depth=depths[r["code"]],
            )
        )
    created = 0
    for i in range(0, len(objs), BATCH):
        Area.objects.bulk_create(objs[i : i + BATCH], batch_size=BATCH)
        created += len(objs[i : i + BATCH])
        if progress:
            progress(created, len(objs))
    # Parent links by code, now that every row has an id.
    ids = dict(Area.objects.values_list("code", "id"))
    by_parent: dict[str, list[int]] = {}
    for r in rows:
        if r["parent_code"]:
            by_parent.setdefault(r["parent_code"], []).append(ids[r["code"]])
    for parent_code, child_ids in by_parent.items():
        for i in range(0, len(child_ids), 500):
            Area.objects.filter(id__in=child_ids[i : i + 500]).update(parent_id=ids[parent_code])
    for family in ("areas", "routing", "grants"):  # bulk writes send no signals: the memos forget
        lookups.changed(family)
    audit_record(
        actor=actor,
        action="area.load",
        object_type="areas.area",
        object_id=rows[0]["code"],
        object_repr=f"{path.name}（{created} 个区域）",
        area_path=root_path(),
    )
    return created


def bundled_change_files() -> list[Path]:
    files = sorted(CHANGES_DIR.glob("*.toml"))
    return sorted(files, key=lambda p: parse_change_file(p.read_bytes()).effective)


def bundled_changes_apply(*, actor: Any = None) -> list[tuple[DivisionChange, bool]]:
    return [division_change_apply(actor=actor, data=p.read_bytes()) for p in bundled_change_files()]
