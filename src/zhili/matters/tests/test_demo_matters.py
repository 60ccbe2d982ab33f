"""`zhili demo_matters`: matters through the real services, consistent events and rollups, run once."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from zhili.core.models import Notice
from zhili.matters.models import (
    OPEN_STATUSES,
    ROLLUP_COUNTERS,
    Matter,
    MatterAreaDay,
    MatterEvent,
    MatterUnitDay,
    RoutingRule,
    Status,
)
from zhili.org.models import User


def _rollups() -> dict[str, list[tuple[Any, ...]]]:
    """The rollup rows that count something (moving a matter between deadline cohorts leaves
    rows of zeros behind, which a rebuild does not write)."""
    out = {}
    for model in (MatterAreaDay, MatterUnitDay):
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = model.objects.values_list(*names)
        counted = [i for i, n in enumerate(names) if n in ROLLUP_COUNTERS]
        out[model.__name__] = sorted(r for r in rows if any(r[i] for i in counted))
    return out


@pytest.fixture
def media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path, DEBUG=True):
        yield tmp_path


def test_demo_matters_runs_the_real_loop_once(db: Any, media: Path) -> None:
    out = io.StringIO()
    call_command("demo_matters", "--count", "60", "--days", "30", "--seed", "7", stdout=out)
    assert "演示诉求" in out.getvalue() and "时限巡查" in out.getvalue()
    matters = list(Matter.objects.all())
    assert len(matters) == 60
    statuses = Counter(m.status for m in matters)
    assert statuses[Status.RATED] + statuses[Status.CLOSED] > 30
    assert any(m.status in OPEN_STATUSES for m in matters)
    districts = {m.district_code for m in matters}
    assert "500103" in districts and districts <= {"500103", "500101", "500199"}
    # Every matter starts with its submission; each one's events are in time order.
    for m in matters:
        times = list(
            MatterEvent.objects.filter(matter=m).order_by("id").values_list("at", "action")
        )
        assert times[0][1] == "submit" and times[0][0] == m.created_at
        assert [t for t, _ in times] == sorted(t for t, _ in times), m.number
    # Dispatched to the district's own units, found by the routing rules.
    for m in matters:
        if m.lead_unit_id:
            assert m.lead_unit is not None and m.area_path.startswith(m.lead_unit.area.path)
    assert RoutingRule.objects.filter(unit__name="渝中区城市管理局").exists()
    assert User.objects.filter(unit__name="万州区城市管理局").exists()
    # The rollups the services kept equal a rebuild from the events.
    kept = _rollups()
    assert kept["MatterAreaDay"]
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert _rollups() == kept
    # The sweep ran: overdue open matters were supervised, with a notice to someone.
    overdue = [m for m in matters if m.overdue]
    assert all(m.supervised_at for m in overdue)
    if overdue:
        assert Notice.objects.filter(kind="supervise").exists()

    again = io.StringIO()
    call_command("demo_matters", "--count", "60", stdout=again)
    assert "跳过" in again.getvalue() and Matter.objects.count() == 60


def test_demo_matters_refuses_without_debug(db: Any) -> None:
    from django.core.management.base import CommandError

    with override_settings(DEBUG=False), pytest.raises(CommandError):
        call_command("demo_matters", "--count", "5", stdout=io.StringIO())
    assert not Matter.objects.exists()
