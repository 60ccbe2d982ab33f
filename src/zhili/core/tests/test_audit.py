"""The audit trail: written with the change, never altered, read within scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from zhili.areas.models import Area
from zhili.core.models import AppendOnlyError, AuditEvent
from zhili.org import services
from zhili.org.models import RoleGrant, Unit


@pytest.mark.django_db
def test_a_service_writes_its_audit_event(users: dict[str, Any]) -> None:
    unit = services.unit_create(
        actor=users["yuzhong"],
        name="渝中区信访办",
        type="petition_office",
        area=Area.objects.get(code="500103"),
    )
    event = AuditEvent.objects.get(action="unit.create", object_id=str(unit.pk))
    assert (event.actor, event.object_type, event.area_path) == (
        users["yuzhong"],
        "org.unit",
        "500000/500103/",
    )
    assert event.after["name"] == "渝中区信访办"


@pytest.mark.django_db
def test_a_failing_service_leaves_no_audit_event(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """grant_revoke writes its event, then deletes: a failure after that rolls both back."""
    grant = RoleGrant.objects.get(user__username="jiefangbei")
    pk, before = grant.pk, AuditEvent.objects.count()

    def fail(user: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "forget_grants", fail)
    with pytest.raises(RuntimeError):
        services.grant_revoke(actor=users["yuzhong"], grant=grant)
    assert RoleGrant.objects.filter(pk=pk).exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_refused_service_leaves_no_audit_event(users: dict[str, Any]) -> None:
    from zhili.core.errors import ZhiliError

    before = AuditEvent.objects.count()
    with pytest.raises(ZhiliError):
        services.user_create(
            actor=users["yuzhong"],
            username="weak",
            password="123",
            area=Area.objects.get(code="500103"),
        )
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_orm_cannot_change_or_delete_audit_events() -> None:
    event = AuditEvent.objects.order_by("id").first()
    event.note = "改写历史"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(note="改写历史")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_auditevent SET note = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_raw_sql_changes(sql: str) -> None:
    event = AuditEvent.objects.order_by("id").first()
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).note == ""


@pytest.mark.django_db
def test_the_database_refuses_bulk_raw_deletes() -> None:
    count = AuditEvent.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.count() == count > 0


def _event_for(unit_name: str) -> AuditEvent:
    unit = Unit.objects.get(name=unit_name)
    return AuditEvent.objects.get(action="unit.create", object_id=str(unit.pk))


@pytest.mark.django_db
def test_api_audit_is_scoped(client: Any, bearer: Any) -> None:
    wanzhou_event = _event_for("万州区综治中心")
    yuzhong_event = _event_for("渝中区综治中心")

    def ids(username: str) -> set[int]:
        found, cursor = set(), None
        while True:
            url = "/api/v1/audit?limit=200" + (f"&cursor={cursor}" if cursor else "")
            body = client.get(url, headers=bearer(username)).json()
            found |= {e["id"] for e in body["items"]}
            cursor = body["next"]
            if not cursor:
                return found

    yuzhong, city = ids("yuzhong"), ids("city_admin")
    assert yuzhong_event.pk in yuzhong and wanzhou_event.pk not in yuzhong
    assert {yuzhong_event.pk, wanzhou_event.pk} <= city
    visible = AuditEvent.objects.filter(pk__in=yuzhong)
    assert all(e.area_path.startswith("500000/500103/") for e in visible)
    assert ids("grid_jfb_01") == set()


@pytest.mark.django_db
def test_audit_page_is_scoped_and_searchable(login: Any) -> None:
    client = login("yuzhong")
    page = client.get("/audit/?q=综治中心").content.decode()
    assert "渝中区综治中心" in page
    assert "万州区综治中心" not in page
    by_action = client.get("/audit/?action=unit.create&actor=system").content.decode()
    assert "解放碑派出所" in by_action
    assert "万州区" not in by_action


@pytest.mark.django_db
def test_object_history_shows_on_the_area_page(login: Any, users: dict[str, Any]) -> None:
    from zhili.areas.services import area_update

    grid = Area.objects.get(code="500103003013001")
    area_update(actor=users["jiefangbei"], area=grid, households=777)
    page = login("yuzhong").get(f"/areas/{grid.code}/").content.decode()
    assert "777" in page
    event = AuditEvent.objects.get(action="area.update", object_id=str(grid.pk))
    assert event.before == {"households": 350} and event.after == {"households": 777}
