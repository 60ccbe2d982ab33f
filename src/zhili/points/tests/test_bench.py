"""The bench measure runs and leaves a ledger that reconciles (a tiny village scale)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_points_bench_small(village: Any) -> None:
    """With the second factor required, as ``make bench`` runs (DEBUG=0): the API figure posts
    with a bearer token (the system account's session is no API login without the factor)."""
    from django.test import override_settings

    from zhili.points.bench import measure

    with override_settings(ZHILI_OTP_REQUIRED=True):
        out = measure(scale="village", n=5, households=3, say=lambda _m: None)
    assert out["api"] > 0 and out["service"] > 0 and out["sql"] > 0
    assert out["differences"] == 0
