"""An audit record's references to areas and units read as their names, not their ids
(core.audit_display, labels.register_audit_reference)."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.core.audit_display import change_rows
from zhili.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_a_users_area_and_unit_read_as_names_in_its_history(
    login: Any, users: dict[str, Any]
) -> None:
    worker = users["grid_jfb_01"]
    record = AuditEvent.objects.get(action="user.create", object_id=str(worker.pk))
    rows = dict(change_rows(record.object_type, record.after))
    area, unit = worker.area, worker.unit
    assert rows["所属区域"] == f"{area.name}（{area.code}）"
    assert rows["所属单位"] == unit.name
    page = login("city_admin").get(f"/org/users/{worker.pk}/").content.decode()
    assert f"{area.name}（{area.code}）" in page and f"所属区域：{area.pk}<" not in page


def test_a_reference_to_a_row_that_is_gone_keeps_its_id(users: dict[str, Any]) -> None:
    record = AuditEvent.objects.get(action="user.create", object_id=str(users["grid_jfb_01"].pk))
    rows = dict(change_rows(record.object_type, {**record.after, "area_id": 987654321}))
    assert rows["所属区域"] == "987654321"
