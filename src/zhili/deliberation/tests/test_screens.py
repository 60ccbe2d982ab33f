"""The kiosk shows the 四议两公开 publicity of the centre's area in its window, as the public
notices page does, and nothing of other areas."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from zhili.areas.models import Area
from zhili.deliberation.publicity import current_publicity
from zhili.deliberation.screens import publicity_slides
from zhili.screens.models import ServiceCentre

pytestmark = pytest.mark.django_db


def test_slides_are_the_current_publicity_of_the_area(users: dict[str, Any]) -> None:
    import io

    from django.core.management import call_command
    from django.test import override_settings

    with override_settings(DEBUG=True):
        call_command("demo_villages", stdout=io.StringIO())
    today = timezone.localdate()
    street = Area.objects.get(code="500103003")
    items = current_publicity(on=today, under=street.path)
    slides = publicity_slides(ServiceCentre(area=street, area_path=street.path), today)
    assert [s.lines[0] for s in slides] == [p.title for p in items[:6]]
    far = Area.objects.get(code="500101")
    assert publicity_slides(ServiceCentre(area=far, area_path=far.path), today) == []
