"""The access matrix: every demo user × every object kind × (in scope, out of scope).

In scope and allowed → 200 (or the action happens); out of scope → 404, in pages and the API alike;
in scope but the action is not allowed → 403. Never a 500.
"""

from __future__ import annotations

from typing import Any

import pytest

from zhili.core.models import AuditEvent
from zhili.org.models import Liaison, RoleGrant, Unit, User

GRID = "500103003013001"  # grid_jfb_01's grid

# (user, kind, scope, reference, expected). References name objects of the demo data.
MATRIX: list[tuple[str, str, str, Any, str]] = [
    # Areas: /areas/<code>/ and /api/v1/areas/<code>
    ("city_admin", "area", "in", "500101001", "ok"),
    ("yuzhong", "area", "in", "500103003", "ok"),
    ("yuzhong", "area", "out", "500101001", "404"),
    ("wanzhou", "area", "in", "500101001", "ok"),
    ("wanzhou", "area", "out", "500103003", "404"),
    ("jiefangbei", "area", "in", "500103003013", "ok"),
    ("jiefangbei", "area", "out", "500103001", "404"),
    ("grid_jfb_01", "area", "in", GRID, "ok"),
    ("grid_jfb_01", "area", "out", "500103003013002", "404"),
    # Units: /org/units/<id>/ and /api/v1/org/units/<id>
    ("city_admin", "unit", "in", "万州区综治中心", "ok"),
    ("yuzhong", "unit", "in", "解放碑派出所", "ok"),
    ("yuzhong", "unit", "out", "万州区综治中心", "404"),
    ("wanzhou", "unit", "in", "万州区综治中心", "ok"),
    ("wanzhou", "unit", "out", "渝中区综治中心", "404"),
    ("jiefangbei", "unit", "in", "解放碑派出所", "ok"),
    ("jiefangbei", "unit", "out", "渝中区综治中心", "404"),
    ("grid_jfb_01", "unit", "out", "解放碑派出所", "404"),
    # Users: /org/users/<id>/ and /api/v1/org/users/<id>
    ("city_admin", "user", "in", "wanzhou", "ok"),
    ("yuzhong", "user", "in", "jiefangbei", "ok"),
    ("yuzhong", "user", "out", "wanzhou", "404"),
    ("wanzhou", "user", "in", "wanzhou", "ok"),
    ("wanzhou", "user", "out", "yuzhong", "404"),
    ("jiefangbei", "user", "in", "grid_jfb_01", "ok"),
    ("jiefangbei", "user", "out", "yuzhong", "404"),
    ("grid_jfb_01", "user", "out", "jiefangbei", "404"),
    # Grants (by grantee): listed on the user page, revoked by POST
    ("city_admin", "grant", "in", "wanzhou", "ok"),
    ("yuzhong", "grant", "in", "jiefangbei", "ok"),
    ("yuzhong", "grant", "out", "wanzhou", "404"),
    ("wanzhou", "grant", "in", "wanzhou", "ok"),
    ("wanzhou", "grant", "out", "jiefangbei", "404"),
    ("jiefangbei", "grant", "out", "grid_jfb_01", "404"),
    ("grid_jfb_01", "grant", "out", "grid_jfb_01", "404"),
    # Liaisons (by street): listed on /org/liaisons/, deleted by POST
    ("city_admin", "liaison", "in", "500103003", "ok"),
    ("yuzhong", "liaison", "in", "500103003", "ok"),
    ("yuzhong", "liaison", "out", "500101001", "404"),
    ("wanzhou", "liaison", "in", "500101001", "ok"),
    ("wanzhou", "liaison", "out", "500103003", "404"),
    ("jiefangbei", "liaison", "in", "500103003", "403"),  # may see it, may not delete it
    ("jiefangbei", "liaison", "out", "500101001", "404"),
    ("grid_jfb_01", "liaison", "out", "500103003", "404"),
    # Audit events (by the unit whose creation they record): /audit/ and /api/v1/audit
    ("city_admin", "audit", "in", "万州区综治中心", "ok"),
    ("yuzhong", "audit", "in", "解放碑派出所", "ok"),
    ("yuzhong", "audit", "out", "万州区综治中心", "404"),
    ("wanzhou", "audit", "in", "万州区综治中心", "ok"),
    ("wanzhou", "audit", "out", "解放碑派出所", "404"),
    ("jiefangbei", "audit", "in", "解放碑派出所", "ok"),
    ("jiefangbei", "audit", "out", "渝中区综治中心", "404"),
    ("grid_jfb_01", "audit", "out", "解放碑派出所", "404"),
]


@pytest.fixture
def wanzhou_liaison(db: Any, users: dict[str, Any]) -> Liaison:
    from zhili.areas.models import Area

    return Liaison.objects.create(
        area=Area.objects.get(code="500101001"),
        unit=Unit.objects.get(name="万州区综治中心"),
        note="万州包片",
    )


def _check_area(client: Any, headers: dict, code: str, expected: str) -> None:
    page = client.get(f"/areas/{code}/")
    api = client.get(f"/api/v1/areas/{code}", headers=headers)
    if expected == "ok":
        assert (page.status_code, api.status_code) == (200, 200)
        assert api.json()["code"] == code
    else:
        assert (page.status_code, api.status_code) == (404, 404)
        assert api.json()["code"] == "area_not_found"
        from zhili.areas.models import Area

        assert Area.objects.get(code=code).name not in page.content.decode()  # nothing leaks


def _check_unit(client: Any, headers: dict, name: str, expected: str) -> None:
    unit = Unit.objects.get(name=name)
    page = client.get(f"/org/units/{unit.pk}/")
    api = client.get(f"/api/v1/org/units/{unit.pk}", headers=headers)
    listed = client.get("/api/v1/org/units?limit=200", headers=headers).json()["items"]
    if expected == "ok":
        assert (page.status_code, api.status_code) == (200, 200)
        assert api.json()["name"] == name
        assert unit.pk in [u["id"] for u in listed]
    else:
        assert (page.status_code, api.status_code) == (404, 404)
        assert set(api.json()) == {"code", "message", "detail"}
        assert unit.pk not in [u["id"] for u in listed]


def _check_user(client: Any, headers: dict, username: str, expected: str) -> None:
    target = User.objects.get(username=username)
    page = client.get(f"/org/users/{target.pk}/")
    api = client.get(f"/api/v1/org/users/{target.pk}", headers=headers)
    listed = client.get("/api/v1/org/users?limit=200", headers=headers).json()["items"]
    if expected == "ok":
        assert (page.status_code, api.status_code) == (200, 200)
        assert api.json()["username"] == username
        assert username in [u["username"] for u in listed]
    else:
        assert (page.status_code, api.status_code) == (404, 404)
        assert username not in [u["username"] for u in listed]


def _check_grant(client: Any, headers: dict, grantee: str, expected: str) -> None:
    grant = RoleGrant.objects.get(user__username=grantee)
    if expected == "ok":
        page = client.get(f"/org/users/{grant.user_id}/")
        assert page.status_code == 200
        assert grant.role.name in page.content.decode()
    response = client.post(f"/org/grants/{grant.pk}/revoke/")
    if expected == "ok":
        assert response.status_code == 302
        assert not RoleGrant.objects.filter(pk=grant.pk).exists()
        assert AuditEvent.objects.filter(action="grant.revoke", object_id=str(grant.pk)).exists()
    else:
        assert response.status_code == int(expected)
        assert RoleGrant.objects.filter(pk=grant.pk).exists()


def _check_liaison(client: Any, headers: dict, street: str, expected: str) -> None:
    liaison = Liaison.objects.get(area__code=street)
    page = client.get("/org/liaisons/")
    assert page.status_code == 200
    shown = liaison.note in page.content.decode()
    response = client.post(f"/org/liaisons/{liaison.pk}/delete/")
    exists = Liaison.objects.filter(pk=liaison.pk).exists()
    if expected == "ok":
        assert shown and response.status_code == 302 and not exists
    elif expected == "403":
        assert shown and response.status_code == 403 and exists
    else:
        assert not shown and response.status_code == 404 and exists


def _check_audit(client: Any, headers: dict, unit_name: str, expected: str) -> None:
    unit = Unit.objects.get(name=unit_name)
    event = AuditEvent.objects.get(action="unit.create", object_id=str(unit.pk))
    query = f"object_type=org.unit&object_id={unit.pk}"
    page = client.get(f"/audit/?{query}")
    api = client.get(f"/api/v1/audit?{query}", headers=headers)
    assert (page.status_code, api.status_code) == (200, 200)
    ids = [e["id"] for e in api.json()["items"]]
    if expected == "ok":
        assert ids == [event.pk]
        assert unit_name in page.content.decode()
    else:
        assert ids == []
        assert unit_name not in page.content.decode()


CHECKS = {
    "area": _check_area,
    "unit": _check_unit,
    "user": _check_user,
    "grant": _check_grant,
    "liaison": _check_liaison,
    "audit": _check_audit,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "kind", "scope", "ref", "expected"),
    MATRIX,
    ids=[f"{u}-{k}-{s}" for u, k, s, _, _ in MATRIX],
)
def test_access_matrix(
    login: Any,
    bearer: Any,
    wanzhou_liaison: Liaison,
    username: str,
    kind: str,
    scope: str,
    ref: Any,
    expected: str,
) -> None:
    client = login(username)
    CHECKS[kind](client, bearer(username), ref, expected)


def test_matrix_covers_every_user_and_kind() -> None:
    seen = {(u, k, s) for u, k, s, _, _ in MATRIX}
    for user in ("city_admin", "yuzhong", "wanzhou", "jiefangbei", "grid_jfb_01"):
        for kind in CHECKS:
            # Every user has an out-of-scope case for every kind, except the city admin,
            # whose scope is the whole city.
            assert (user, kind, "out") in seen or user == "city_admin", (user, kind)
            assert (user, kind, "in") in seen or user in {"grid_jfb_01", "jiefangbei"}, (user, kind)


# Denied actions: 403 or a form error, never a 500, nothing saved ----------------------------------


@pytest.mark.django_db
def test_grid_worker_cannot_create_a_unit(login: Any) -> None:
    before = Unit.objects.count()
    response = login("grid_jfb_01").post(
        "/org/units/new/", {"name": "网格员的单位", "type": "other", "area_code": GRID}
    )
    assert response.status_code == 200
    assert "不存在或不在您的管辖范围内" in response.content.decode()
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_grid_worker_cannot_add_buildings_to_their_grid(login: Any, bearer: Any) -> None:
    from zhili.areas.models import Area

    before = Area.objects.count()
    client = login("grid_jfb_01")
    page = client.post(f"/areas/{GRID}/new/", {"name": "新楼"})
    assert page.status_code == 200
    assert "没有在该区域维护网格和楼栋的权限" in page.content.decode()
    api = client.post(
        f"/api/v1/areas/{GRID}/children",
        {"level": "building", "name": "新楼"},
        content_type="application/json",
        headers=bearer("grid_jfb_01"),
    )
    assert api.status_code == 403
    assert api.json()["code"] == "forbidden"
    patch = client.patch(
        f"/api/v1/areas/{GRID}",
        {"name": "改名"},
        content_type="application/json",
        headers=bearer("grid_jfb_01"),
    )
    assert patch.status_code == 403
    assert Area.objects.count() == before
    assert Area.objects.get(code=GRID).name != "改名"


@pytest.mark.django_db
def test_other_district_cannot_edit_a_grid(client: Any, bearer: Any) -> None:
    response = client.patch(
        f"/api/v1/areas/{GRID}",
        {"households": 1},
        content_type="application/json",
        headers=bearer("wanzhou"),
    )
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "status"), [("jiefangbei", 404), ("yuzhong", 200)])
def test_only_the_city_edits_roles(login: Any, username: str, status: int) -> None:
    from zhili.org.models import Role

    role = Role.objects.get(slug="grid_worker")
    before = list(role.permissions)
    response = login(username).post(
        f"/org/roles/{role.pk}/", {"name": "网格员", "permissions": [], "extra": "*"}
    )
    assert response.status_code == status
    if status == 200:
        assert "角色由市级管理员维护" in response.content.decode()
    role.refresh_from_db()
    assert role.permissions == before and "*" not in role.permissions


@pytest.mark.django_db
def test_street_worker_cannot_create_users_or_grants(login: Any, users: dict[str, Any]) -> None:
    from zhili.org.models import Role

    client = login("jiefangbei")
    before_users, before_grants = User.objects.count(), RoleGrant.objects.count()
    created = client.post(
        "/org/users/new/",
        {
            "username": "new_worker",
            "full_name": "新人",
            "area_code": "500103003",
            "password": "a-long-enough-pass-2026",
        },
    )
    assert created.status_code == 200
    assert "没有用户的新增权限" in created.content.decode()
    granted = client.post(
        f"/org/users/{users['grid_jfb_01'].pk}/",
        {
            "form": "grant",
            "role": Role.objects.get(slug="grid_worker").pk,
            "area_code": "500103003",
        },
    )
    assert granted.status_code == 200
    assert (User.objects.count(), RoleGrant.objects.count()) == (before_users, before_grants)


@pytest.mark.django_db
@pytest.mark.parametrize("parent", ["500101", "599999"])
def test_listing_children_out_of_scope_answers_like_an_unknown_parent(
    client: Any, bearer: Any, parent: str
) -> None:
    """Otherwise an empty 200 against a 404 tells an outsider which codes exist."""
    response = client.get(f"/api/v1/areas?parent={parent}", headers=bearer("yuzhong"))
    assert response.status_code == 404
    assert response.json()["code"] == "area_not_found"


@pytest.mark.django_db
def test_a_role_with_add_but_not_change_can_create_grids(client: Any) -> None:
    """The detail page offers "new grid" to whoever may add; the service must agree."""
    from zhili.areas.models import Area
    from zhili.org.models import Role

    adder = Role.objects.create(
        slug="grid_adder", name="网格新增员", permissions=["areas.area.view", "areas.area.add"]
    )
    user = User.objects.create(username="adder", area=Area.objects.get(code="500103003"))
    RoleGrant.objects.create(user=user, role=adder, area=Area.objects.get(code="500103003"))
    client.force_login(user)
    assert 'href="/areas/500103003016/new/"' in client.get("/areas/500103003016/").content.decode()
    response = client.post("/areas/500103003016/new/", {"name": "新增网格"})
    assert response.status_code == 302
    assert Area.objects.filter(name="新增网格", parent__code="500103003016").exists()
