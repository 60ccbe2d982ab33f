"""The demo builds through the services, twice without change, and its ledger reconciles."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(DEBUG=True)
def test_demo_points_is_idempotent_and_consistent(village: Any) -> None:
    from zhili.points.demo import demo_points
    from zhili.points.ledger import differences
    from zhili.points.models import Household, Order, Record, RecordStatus, Transfer

    demo_points(say=lambda _m: None)
    counts = (Household.objects.count(), Record.objects.count(), Transfer.objects.count(),
              Order.objects.count())  # fmt: skip
    demo_points(say=lambda _m: None)
    assert counts == (
        Household.objects.count(), Record.objects.count(), Transfer.objects.count(),
        Order.objects.count(),
    )  # fmt: skip
    assert counts[0] == 24 and counts[3] == 3
    assert Record.objects.filter(status=RecordStatus.COUNTED).count() > 0
    assert Record.objects.filter(status=RecordStatus.PUBLIC).count() == 1
    assert differences() == []
