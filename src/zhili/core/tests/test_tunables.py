"""Business parameters (core.tunables): declared by the apps, changed by the city's administrator
on one page with a reason, every change audited, cached per process and cleared on a write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from zhili.core import tunables
from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent, TunableValue


def test_every_app_declares_its_parameters_with_readable_labels() -> None:
    keys = set(tunables.registry())
    for key in (
        "disputes.days",
        "disputes.follow_up_days",
        "disputes.police_hours",
        "matters.max_extension_workdays",
        "matters.self_handle_sample_percent",
        "matters.ranking_min_sample",
        "matters.warn_before_hours",
        "matters.escalate_after_hours",
        "matters.duplicate_radius_m",
        "matters.limit.urgent.handle",
        "risks.hotspot_min_count",
        "risks.repeat_count",
    ):
        assert key in keys, key
    for t in tunables.registry().values():
        assert str(t.label) and t.minimum <= t.shipped() <= t.maximum, t.key


def test_the_shipped_default_follows_the_setting_until_the_city_sets_a_value(
    users: Any,
) -> None:
    with override_settings(ZHILI_RANKING_MIN_SAMPLE=7):
        assert tunables.value("matters.ranking_min_sample") == 7
        tunables.tunable_set(
            actor=users["city_admin"], key="matters.ranking_min_sample", value="12", reason="试点"
        )
        assert tunables.value("matters.ranking_min_sample") == 12
        tunables.tunable_set(
            actor=users["city_admin"], key="matters.ranking_min_sample", value="", reason="恢复"
        )
        assert tunables.value("matters.ranking_min_sample") == 7
    assert not TunableValue.objects.filter(key="matters.ranking_min_sample").exists()


def test_a_change_is_audited_with_before_after_and_reason(users: Any) -> None:
    tunables.tunable_set(
        actor=users["city_admin"], key="disputes.days", value=45, reason="复杂纠纷多"
    )
    event = AuditEvent.objects.filter(action="tunable.set").latest("id")
    assert event.before == {"key": "disputes.days", "value": 30}
    assert event.after == {"key": "disputes.days", "value": 45}
    assert event.note == "复杂纠纷多" and event.actor == users["city_admin"]


def test_only_the_city_administrator_changes_and_bad_values_are_refused(users: Any) -> None:
    with pytest.raises(PermissionDenied):
        tunables.tunable_set(actor=users["jiefangbei"], key="disputes.days", value=1, reason="x")
    admin = users["city_admin"]
    for raw, code in (("abc", "invalid_number"), ("1.5", "invalid_number"), ("0", "out_of_range")):
        with pytest.raises(ValidationFailed) as exc:
            tunables.tunable_set(actor=admin, key="disputes.days", value=raw, reason="x")
        assert exc.value.code == code
    with pytest.raises(ValidationFailed):
        tunables.tunable_set(actor=admin, key="disputes.days", value=20, reason="  ")
    assert tunables.value("disputes.days") == 30


def test_values_are_cached_per_process_and_a_write_clears_the_cache(users: Any) -> None:
    assert tunables.value("disputes.days") == 30
    # Another process writes: this one keeps its cached value until the cache expires or clears.
    TunableValue.objects.create(key="disputes.days", value=40)
    assert tunables.value("disputes.days") == 30
    tunables.forget()
    assert tunables.value("disputes.days") == 40
    tunables.tunable_set(actor=users["city_admin"], key="disputes.days", value=50, reason="x")
    assert tunables.value("disputes.days") == 50


def test_the_page_lists_edits_and_reshows_a_bad_value(users: Any, login: Any) -> None:
    page = login("city_admin").get("/parameters/")
    html = page.content.decode()
    assert page.status_code == 200 and "业务参数" in html and "警调对接反馈时限" in html
    r = login("city_admin").post(
        "/parameters/", {"key": "disputes.days", "value": "999", "reason": "太长", "action": "set"}
    )
    html = r.content.decode()
    assert r.status_code == 200 and "须在 1 到 365" in html and 'value="999"' in html
    assert 'value="太长"' in html
    r = login("city_admin").post(
        "/parameters/", {"key": "disputes.days", "value": "45", "reason": "试点", "action": "set"}
    )
    assert r.status_code == 302 and tunables.value("disputes.days") == 45
    assert "45" in login("city_admin").get("/parameters/").content.decode()
    street = login("jiefangbei")
    assert "/parameters/" not in street.get("/").content.decode()
    assert 'name="value"' not in street.get("/parameters/").content.decode()
    denied = street.post(
        "/parameters/", {"key": "disputes.days", "value": "1", "reason": "x", "action": "set"}
    )
    assert denied.status_code == 403 and tunables.value("disputes.days") == 45
