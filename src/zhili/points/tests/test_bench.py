"""The bench measure runs and leaves a ledger that reconciles (a tiny village scale)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_points_bench_small(village: Any) -> None:
    from zhili.points.bench import measure

    out = measure(scale="village", n=5, households=3, say=lambda _m: None)
    assert out["api"] > 0 and out["service"] > 0 and out["sql"] > 0
    assert out["differences"] == 0
