"""Advisers and their villages, the consultations log, hours and monthly visits against the
target (50 h, one visit a month) with warnings, recomputed from the log."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.legal import selectors, services
from zhili.legal.models import Consultation, Coverage
from zhili.testing import factories as f

pytestmark = pytest.mark.django_db
MINSHENGLU, LIANHUACHI = "500103003013", "500103003016"


@pytest.fixture
def adviser() -> Any:
    street = f.user("jiefangbei")
    a = services.adviser_create(
        actor=street,
        name="王律师",
        firm="重庆某律师事务所（演示）",
        area=f.area(f.JIEFANGBEI),
        user=f.user("lawyer_jfb"),
    )
    for code in (MINSHENGLU, LIANHUACHI):  # one adviser serves two communities
        services.coverage_add(actor=street, adviser=a, area=f.area(code), since=dt.date(2026, 1, 1))
    return a


def _log(
    adviser: Any, code: str, on: dt.date, minutes: int, on_site: bool = True, **kw: Any
) -> Any:
    return services.consultation_log(
        actor=f.user("lawyer_jfb"),
        adviser=adviser,
        area=f.area(code),
        kind=kw.pop("kind", "consultation"),
        on=on,
        minutes=minutes,
        on_site=on_site,
        topic=kw.pop("topic", "房屋租赁押金"),
        **kw,
    )


def test_hours_and_monthly_visits_against_the_target(adviser: Any) -> None:
    # 民生路: a visit every month Jan–May, 5 h each (25 h); 莲花池: Jan only, by phone in Feb.
    for month in range(1, 6):
        _log(adviser, MINSHENGLU, dt.date(2026, month, 10), 300, kind="visit")
    _log(adviser, LIANHUACHI, dt.date(2026, 1, 5), 90)
    _log(adviser, LIANHUACHI, dt.date(2026, 2, 5), 45, on_site=False)
    rows = {
        a.area: a
        for a in selectors.accounts(f.user("jiefangbei"), year=2026, today=dt.date(2026, 6, 15))
    }
    msl, lhc = rows["民生路社区"], rows["莲花池社区"]
    # 5 months ended: pace is 50 × 5 / 12 = 20.8 h; 25 h is ahead.
    assert msl.minutes == 1500 and msl.hours_text == "25 小时" and msl.percent == 50
    assert msl.warnings == []
    assert lhc.minutes == 135 and lhc.months_missed == [2, 3, 4, 5]
    assert "2 月、3 月、4 月、5 月到村（社区）不足 1 次" in lhc.warnings[0]
    assert "落后于进度" in lhc.warnings[1]
    # The sums are the log's sums.
    assert msl.minutes == sum(
        Consultation.objects.filter(area__code=MINSHENGLU).values_list("minutes", flat=True)
    )


def test_the_year_over_and_the_target_missed(adviser: Any) -> None:
    for month in range(1, 13):
        _log(adviser, MINSHENGLU, dt.date(2025, month, 3), 240, kind="visit")  # 48 h
    _log(adviser, MINSHENGLU, dt.date(2025, 12, 20), 119)  # 49 h 59 min
    [acc] = [
        a
        for a in selectors.accounts(f.user("jiefangbei"), year=2025, today=dt.date(2026, 1, 2))
        if a.area == "民生路社区"
    ]
    assert acc.warnings == ["全年服务 49 小时 59 分，未达到 50 小时"] and acc.percent == 99
    _log(adviser, MINSHENGLU, dt.date(2025, 12, 21), 1)
    [acc] = [
        a
        for a in selectors.accounts(f.user("jiefangbei"), year=2025, today=dt.date(2026, 1, 2))
        if a.area == "民生路社区"
    ]
    assert acc.warnings == [] and acc.percent == 100


def test_one_adviser_per_community_and_rights(adviser: Any) -> None:
    street = f.user("jiefangbei")
    other = services.adviser_create(
        actor=street, name="李律师", firm="某所", area=f.area(f.JIEFANGBEI)
    )
    services.coverage_add(
        actor=street, adviser=other, area=f.area(MINSHENGLU), since=dt.date(2026, 7, 1)
    )
    current = Coverage.objects.filter(area__code=MINSHENGLU, until__isnull=True).get()
    assert current.adviser == other
    assert Coverage.objects.get(area__code=MINSHENGLU, adviser=adviser).until == dt.date(2026, 7, 1)
    with pytest.raises(ValidationFailed, match="村或社区"):
        services.coverage_add(
            actor=street, adviser=other, area=f.area(f.JIEFANGBEI), since=dt.date(2026, 7, 1)
        )
    with pytest.raises(NotFound):
        services.adviser_create(
            actor=f.user("wanzhou"), name="x", firm="y", area=f.area(f.JIEFANGBEI)
        )
    with pytest.raises(PermissionDenied):
        services.adviser_create(
            actor=f.user("secretary_msl"), name="x", firm="y", area=f.area(MINSHENGLU)
        )
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        _log(adviser, MINSHENGLU, dt.date(2099, 1, 1), 30)


def test_consultations_show_the_person_masked(adviser: Any) -> None:
    _log(adviser, MINSHENGLU, dt.date(2026, 3, 3), 30, person="赵小明", phone="13912345678")
    with pytest.raises(ValidationFailed, match="打码"):
        _log(adviser, MINSHENGLU, dt.date(2026, 3, 3), 30, person="赵**")
    c = Client()
    c.force_login(f.user("jiefangbei"))
    html = c.get("/legal/?year=2026").content.decode()
    assert "赵**" in html and "赵小明" not in html and "139****5678" not in html


def test_the_target_is_data_the_city_sets(adviser: Any) -> None:
    for month in range(1, 13):
        _log(adviser, MINSHENGLU, dt.date(2025, month, 3), 200, kind="visit")  # 40 h
    with pytest.raises(NotFound):  # a district cannot reach the city-wide target (kernel: 404)
        services.target_set(actor=f.user("yuzhong"), year=2025, hours=40, visits_per_month=1)
    services.target_set(actor=f.user("city_admin"), year=2025, hours=40, visits_per_month=1)
    [acc] = [
        a
        for a in selectors.accounts(f.user("jiefangbei"), year=2025, today=dt.date(2026, 1, 2))
        if a.area == "民生路社区"
    ]
    assert acc.warnings == [] and acc.target_hours == 40 and acc.percent == 100


def test_the_person_is_revealed_only_with_the_right(adviser: Any) -> None:
    from zhili.core.models import AuditEvent

    c = _log(adviser, MINSHENGLU, dt.date(2026, 3, 3), 30, person="赵小明", phone="13912345678")
    with pytest.raises(PermissionDenied):
        services.consultation_reveal(actor=f.user("jiefangbei"), consultation=c)
    assert services.consultation_reveal(actor=f.user("lawyer_jfb"), consultation=c) == {
        "person": "赵小明",
        "phone": "13912345678",
    }
    assert (
        AuditEvent.objects.filter(action="privacy.reveal", object_type="legal.consultation").count()
        == 1
    )
    api = Client()
    api.force_login(f.user("wanzhou"))
    assert api.get(f"/api/v1/legal/consultations/{c.pk}/personal").status_code == 404


def test_a_phone_is_digits_and_a_masked_copy_is_refused(adviser: Any) -> None:
    """Letters in the phone were saved as a consultation's number; the same rule as a matter's
    and a visit's (``core.privacy.personal_phone``)."""
    for phone, code in (("abc", "invalid_phone"), ("139****5678", "masked_value")):
        with pytest.raises(ValidationFailed) as caught:
            _log(adviser, MINSHENGLU, dt.date(2026, 3, 3), 30, person="赵小明", phone=phone)
        assert caught.value.code == code
    assert not Consultation.objects.exists()
    c = _log(adviser, MINSHENGLU, dt.date(2026, 3, 3), 30, person="赵小明", phone="023 6389 1234")
    assert c.phone == "02363891234"
