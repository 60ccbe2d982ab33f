"""The demo command builds 楼栋工作日 and the compounds registry through the services, once."""

from __future__ import annotations

import time
from typing import Any

from django.test import override_settings

from zhili.compounds.models import Compound, Meeting
from zhili.demo.outreach import demo_outreach
from zhili.matters.models import Channel, Matter
from zhili.visits.liaisons import liaison_check
from zhili.visits.models import Status, Visit


def test_demo_outreach_runs_once_and_fast(db: Any) -> None:
    from zhili.testing import factories as f

    started = time.monotonic()
    with override_settings(DEBUG=True):
        demo_outreach(say=lambda _m: None)
        demo_outreach(say=lambda _m: None)
    assert time.monotonic() - started < 20
    assert Visit.objects.filter(status=Status.DONE).count() == 4
    assert Visit.objects.filter(status=Status.MISSED).count() == 1
    assert Matter.objects.filter(channel=Channel.BUILDING_DAY).count() == 3
    assert Compound.objects.count() == 3 and Meeting.objects.count() == 2
    problems = {r.name: r.problem for r in liaison_check(f.user("yuzhong")) if r.problem}
    assert set(problems) == {"渝中区副区长乙（演示）", "渝中区副区长丙（演示）"}
