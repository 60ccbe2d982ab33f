"""The bulk path writes what the services write: the same stories, lived once through
``matters.services`` and once through ``bench.machine.Machine``, leave the same rows."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from zhili.bench.machine import Machine
from zhili.core.models import AuditEvent, Notice
from zhili.demo.matters import Generator, _evidence, demo_matters_setup
from zhili.matters import rollups, supervision
from zhili.matters.models import (
    Matter,
    MatterAreaAll,
    MatterAreaDay,
    MatterDuration,
    MatterDurationAll,
    MatterEvent,
    MatterRollupState,
    MatterUnitDay,
)

SKIP_MATTER = {"id", "merged_into_id"}


def _rows(model: Any, skip: set[str]) -> list[tuple[Any, ...]]:
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
    return sorted(model._base_manager.values_list(*names), key=repr)


def snapshot() -> dict[str, Any]:
    """Every row the stories wrote, with ids replaced by matter numbers where they differ."""
    number = dict(Matter.objects.values_list("pk", "number"))
    events = [
        (number[e["matter_id"]], *(v for k, v in e.items() if k not in ("id", "matter_id")))
        for e in MatterEvent.objects.order_by("matter_id", "id").values()
    ]
    audit = sorted(
        (
            (
                number.get(int(a.object_id)),
                a.actor_id,
                a.actor_name,
                a.action,
                a.object_repr,
                a.area_path,
                a.before,
                a.after,
                a.note,
            )
            for a in AuditEvent.objects.filter(object_type="matters.matter")
        ),
        key=repr,
    )
    states = sorted(
        (number[s.pop("matter_id")], *s.values()) for s in MatterRollupState.objects.values()
    )
    # Rows of zeros (left where a matter moved between deadline cohorts) count nothing.
    area = [r for r in _rows(MatterAreaDay, {"id"}) if any(r[: len(rollups.ROLLUP_COUNTERS)])]
    unit = [r for r in _rows(MatterUnitDay, {"id"}) if any(r[: len(rollups.ROLLUP_COUNTERS)])]
    return {
        "matters": _rows(Matter, SKIP_MATTER),
        "events": events,
        "attachments": sorted(
            (number[e.matter_id], e.action, a.pk)
            for e in MatterEvent.objects.prefetch_related("attachments")
            for a in e.attachments.all()
        ),
        "audit": audit,
        "states": states,
        "area_days": area,
        "unit_days": unit,
        "durations": [r for r in _rows(MatterDuration, {"id"}) if r[-1]],
        "area_all": [
            r for r in _rows(MatterAreaAll, {"id"}) if any(r[: len(rollups.ROLLUP_COUNTERS)])
        ],
        "durations_all": [r for r in _rows(MatterDurationAll, {"id"}) if r[-1]],
        "notices": sorted(
            (
                number[int(n.object_id)],
                n.recipient_id,
                n.kind,
                n.title,
                n.body,
                n.url,
                n.dedupe_key.replace(f":{n.object_id}:", f":{number[int(n.object_id)]}:"),
            )
            for n in Notice.objects.filter(object_type="matters.matter")
        ),
    }


def live(cast: Any, now: dt.datetime, count: int, services: Any = None) -> dict[str, Any]:
    """``count`` stories, then one deadline sweep at ``now`` (the real one, or the machine's)."""
    random.seed(7)  # self-handled matters are sampled with random.random(), as in services.py
    gen = Generator(cast, seed=3, now=now, days=20, services=services)
    gen.shares["stall"] = 0.15  # enough matters left past their deadline for the sweep
    for _ in range(count):
        gen.one()
    if isinstance(services, Machine):
        services.sweep_as_of(now)
        services.finish()
    else:
        supervision.sweep(now)
    return {"snapshot": snapshot(), "counts": dict(gen.counts)}


@pytest.mark.django_db(transaction=False)
@override_settings(ZHILI_WARN_BEFORE_HOURS=96)  # a wide warning window: some warnings for sure
def test_machine_writes_the_rows_the_services_write(tmp_path: Path) -> None:
    with override_settings(DEBUG=True, MEDIA_ROOT=tmp_path):
        cast = demo_matters_setup(say=lambda _m: None)
        cast.evidence = _evidence()
    # A fixed clock: which deadlines fall in the sweep's warning window depends on it.
    now = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        by_services = live(cast, now, 120)
        transaction.set_rollback(True)
    assert not Matter.objects.exists()
    by_machine = live(cast, now, 120, services=Machine())

    assert by_machine["counts"] == by_services["counts"]
    counts = by_services["counts"]
    # The stories reach the outcomes the benchmark relies on.
    assert counts["created"] == 120 and counts.get("closed", 0) > 5 and counts.get("open", 0) > 5
    assert counts.get("self_handled", 0) > 0 and counts.get("returned", 0) > 0
    for table, rows in by_services["snapshot"].items():
        assert by_machine["snapshot"][table] == rows, table
    assert len(by_services["snapshot"]["events"]) > 300
    actions = {e[1] for e in by_services["snapshot"]["events"]}
    assert {"overdue", "supervise"} <= actions  # the sweep's rows are compared too
    assert {n[2] for n in by_services["snapshot"]["notices"]} == {
        "warn",
        "supervise",
        "contact_overdue",
    }, counts


@pytest.mark.django_db
def test_rebuild_from_the_machines_events_gives_its_rollups(tmp_path: Path) -> None:
    """The rollups the machine added equal a rebuild from its events (rollups.rebuild)."""
    with override_settings(DEBUG=True, MEDIA_ROOT=tmp_path):
        cast = demo_matters_setup(say=lambda _m: None)
        cast.evidence = _evidence()
    live(cast, timezone.now(), 60, services=Machine())
    before = snapshot()
    rollups.rebuild()
    after = snapshot()
    for table in ("area_days", "unit_days", "durations", "states"):
        assert after[table] == before[table], table
