"""The cockpit demo: fast, through the services, idempotent, invented figures labelled as such."""

from __future__ import annotations

import time
from typing import Any

from django.test import override_settings

from zhili.demo.cockpit import SOURCE, demo_cockpit
from zhili.indicators.models import IndicatorValue, SurveyResponse


def test_demo_cockpit(users: Any) -> None:
    said: list[str] = []
    t0 = time.perf_counter()
    with override_settings(DEBUG=True):
        demo_cockpit(say=said.append)
        elapsed = time.perf_counter() - t0
        demo_cockpit(say=said.append)  # a second run does nothing
    assert "跳过" in said[-1]
    assert elapsed < 60, elapsed
    assert IndicatorValue.objects.exclude(source=SOURCE).count() == 0
    assert IndicatorValue.objects.exists() and SurveyResponse.objects.exists()
    print(f"demo_cockpit: {elapsed:.1f} s")
