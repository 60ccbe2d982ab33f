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


@override_settings(DEBUG=True)
def test_the_demo_books_nothing_ahead_of_the_clock(village: Any) -> None:
    """The demo's week of records is recorded, approved and counted in the past (issue 12: it
    was counted four days ahead, so the cockpit's last 30 days showed no points issued)."""
    from django.db.models import Max, Sum
    from django.utils import timezone

    from zhili.points.demo import demo_points
    from zhili.points.models import Record, RecordEvent, RecordStatus, Transfer, TransferCode

    demo_points(say=lambda _m: None)
    now = timezone.now()
    latest = [
        Transfer.objects.aggregate(t=Max("created_at"))["t"],
        Record.objects.aggregate(t=Max("created_at"))["t"],
        Record.objects.aggregate(t=Max("counted_at"))["t"],
        RecordEvent.objects.aggregate(t=Max("at"))["t"],
    ]
    assert all(t is not None and t <= now for t in latest), latest
    counted = Record.objects.filter(status=RecordStatus.COUNTED)
    assert counted.count() > 40
    for r in counted.select_related("transfer"):
        # recorded, approved, then counted when its public window closed
        assert r.created_at < r.public_until == r.counted_at == r.transfer.created_at <= now
    issued = Transfer.objects.filter(code=TransferCode.ISSUE).aggregate(n=Sum("amount"))["n"]
    assert issued == counted.aggregate(n=Sum("points"))["n"] > 0


def test_a_loader_cannot_book_ahead_of_the_clock(village: Any, people: dict[str, Any]) -> None:
    import datetime as dt

    from django.utils import timezone

    from zhili.core.errors import ValidationFailed
    from zhili.points import services
    from zhili.points.models import Transfer

    later = timezone.now() + dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed) as refused:
        services.budget_allocate(actor=people["points_committee"], village=village,
                                 funding_source="区财政", amount=10, key="ahead", at=later)  # fmt: skip
    assert refused.value.code == "future" and not Transfer.objects.exists()
