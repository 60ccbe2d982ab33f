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
    history = page[page.index('id="history"') : page.index("</table>", page.index('id="history"'))]
    assert "修改区划" in history and "户数" in history
    assert "area.update" not in history and "households" not in history
    event = AuditEvent.objects.get(action="area.update", object_id=str(grid.pk))
    assert event.before == {"households": 350} and event.after == {"households": 777}


# Defect 7: the audit trail must not leak what the object's own view right hides. -----------------

YUZHONG_STREET = "500000/500103/500103003/"
WANZHOU = "500000/500101/"


def _write(object_type: str, path: str, title: str) -> AuditEvent:
    from zhili.core.audit import audit_record

    with transaction.atomic():
        return audit_record(
            actor=None,
            action="privacy.reveal",
            object_type=object_type,
            object_id=title,
            object_repr=title,
            area_path=path,
            note=f"{title}的办理说明",
        )


@pytest.fixture
def case_events(db: Any) -> dict[str, AuditEvent]:
    return {
        t: _write(t, YUZHONG_STREET, f"解放碑{t}事项")
        for t in ("matters.matter", "disputes.dispute", "risks.risk", "targets.report")
    } | {"wanzhou": _write("disputes.dispute", WANZHOU, "万州纠纷事项")}


def _api_ids(client: Any, headers: dict[str, str], query: str = "") -> set[int]:
    found, cursor = set(), None
    while True:
        url = f"/api/v1/audit?limit=200{query}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        body = response.json()
        found |= {e["id"] for e in body["items"]}
        cursor = body["next"]
        if not cursor:
            return found


@pytest.mark.django_db
def test_audit_of_objects_the_user_may_not_view_is_hidden(
    client: Any, bearer: Any, case_events: dict[str, AuditEvent]
) -> None:
    """office_zfw (targets office, audit right over the city) may not view matters, disputes or
    risks: their audit events are hidden from the API, the page and by object type."""
    office = bearer("office_zfw")
    seen = _api_ids(client, office)
    assert case_events["targets.report"].pk in seen
    assert _event_for("渝中区综治中心").pk in seen  # org.unit: the office may view units
    hidden = {case_events[t].pk for t in ("matters.matter", "disputes.dispute", "risks.risk")}
    assert not hidden & seen
    assert _api_ids(client, office, "&object_type=disputes.dispute") == set()
    assert _api_ids(client, office, "&q=事项") == {case_events["targets.report"].pk}
    # yuzhong (district officer of 渝中区) may view all four kinds in 渝中区, none in 万州区.
    yuzhong = _api_ids(client, bearer("yuzhong"), "&q=事项")
    assert yuzhong == {e.pk for t, e in case_events.items() if t != "wanzhou"}


@pytest.mark.django_db
def test_audit_page_hides_objects_the_user_may_not_view(
    login: Any, case_events: dict[str, AuditEvent]
) -> None:
    page = login("office_zfw").get("/audit/?q=事项").content.decode()
    assert "解放碑targets.report事项" in page
    for hidden in ("matters.matter", "disputes.dispute", "risks.risk"):
        assert f"解放碑{hidden}事项" not in page
    assert "万州纠纷事项" not in page


@pytest.mark.django_db
def test_audit_view_right_is_intersected_per_object_type(
    client: Any, bearer: Any, users: dict[str, Any], case_events: dict[str, AuditEvent]
) -> None:
    """A dispute view right over one street shows that street's dispute events only, even to a
    user whose audit right covers the whole city."""
    from zhili.core.system import system_user
    from zhili.org.models import Role
    from zhili.org.services import grant_create

    grant_create(
        actor=system_user(),
        user=users["office_zfw"],
        role=Role.objects.get(slug="grid_worker"),  # disputes.dispute.view, nothing more
        area=Area.objects.get(code="500103003"),
    )
    seen = _api_ids(client, bearer("office_zfw"), "&object_type=disputes.dispute")
    assert seen == {case_events["disputes.dispute"].pk}


@pytest.mark.django_db
def test_audit_read_is_one_query(
    client: Any, users: dict[str, Any], case_events: dict[str, AuditEvent]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhili.core.selectors import audit_search

    user = users["office_zfw"]
    list(audit_search(user)[:1])  # the grants, cached on the user for the request
    with CaptureQueriesContext(connection) as queries:
        rows = list(audit_search(user, object_type="disputes.dispute")[:50])
    assert rows == [] and len(queries) == 1


@pytest.mark.django_db
def test_token_events_are_read_with_the_users_view_right(
    client: Any, bearer: Any, users: dict[str, Any]
) -> None:
    """An API token has no view right of its own: its history is its user's."""
    from zhili.org.services import token_create

    token, _raw = token_create(actor=users["yuzhong"], user=users["unit_yz_jw"])
    event = AuditEvent.objects.get(action="token.create", object_id=str(token.pk))
    query = f"&object_type=org.apitoken&object_id={token.pk}"
    assert _api_ids(client, bearer("yuzhong"), query) == {event.pk}
    assert _api_ids(client, bearer("office_zfw"), query) == {event.pk}
    assert _api_ids(client, bearer("wanzhou"), query) == set()


# The audit page and API read in Chinese: labels, not codes. ------------------------------------


@pytest.mark.django_db
def test_audit_page_shows_labels_not_codes(login: Any) -> None:
    page = login("city_admin").get("/audit/?action=unit.create&q=渝中区综治中心").content.decode()
    table = page[page.index('id="audit-table"') : page.index("</table>")]
    assert "新增单位" in table and "渝中区综治中心" in table
    for code in ("unit.create", "org.unit", "governance_centre", "area_id", "is_active", "True"):
        assert code not in table, code
    assert "类型</span>：综治中心" in table  # the unit type's label, not its code


@pytest.mark.django_db
def test_audit_filter_offers_the_labels(login: Any) -> None:
    page = login("city_admin").get("/audit/").content.decode()
    assert '<option value="unit.create">新增单位</option>' in page
    assert '<option value="privacy.reveal">查看个人信息</option>' in page


@pytest.mark.django_db
def test_api_audit_keeps_the_code_and_adds_its_label(client: Any, bearer: Any) -> None:
    body = client.get("/api/v1/audit?action=grant.create&limit=1", headers=bearer("city_admin"))
    item = body.json()["items"][0]
    assert (item["action"], item["action_label"]) == ("grant.create", "授予角色")
