"""Nobody hands out, or takes over, more than they hold."""

from __future__ import annotations

from typing import Any

import pytest

from zhili.areas.models import Area
from zhili.core.errors import NotFound, PermissionDenied
from zhili.org import services
from zhili.org.models import ApiToken, Role, RoleGrant, User


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


def grant_form(client: Any, target: User, role_slug: str, area_code: str) -> Any:
    return client.post(
        f"/org/users/{target.pk}/",
        {"form": "grant", "role": role(role_slug).pk, "area_code": area_code},
    )


@pytest.mark.django_db
def test_district_officer_grants_a_lesser_role_in_their_district(
    login: Any, users: dict[str, Any]
) -> None:
    target = users["jiefangbei"]
    response = grant_form(login("yuzhong"), target, "street_worker", "500103001")
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=target, area__code="500103001")
    assert grant.granted_by == users["yuzhong"]


@pytest.mark.django_db
def test_district_officer_cannot_grant_a_role_with_more_permissions(
    login: Any, users: dict[str, Any]
) -> None:
    before = RoleGrant.objects.count()
    response = grant_form(login("yuzhong"), users["jiefangbei"], "city_admin", "500103")
    assert response.status_code == 200
    assert "没有“市级管理员”所含的全部权限" in response.content.decode()
    assert RoleGrant.objects.count() == before


@pytest.mark.django_db
def test_a_custom_role_with_one_extra_permission_is_refused(users: dict[str, Any]) -> None:
    sneaky = Role.objects.create(
        slug="sneaky", name="看似无害", permissions=["areas.area.view", "org.role.change"]
    )
    with pytest.raises(PermissionDenied):
        services.grant_create(
            actor=users["yuzhong"],
            user=users["jiefangbei"],
            role=sneaky,
            area=Area.objects.get(code="500103003"),
        )
    assert not RoleGrant.objects.filter(role=sneaky).exists()


@pytest.mark.django_db
def test_district_officer_cannot_grant_in_another_district(
    login: Any, users: dict[str, Any]
) -> None:
    before = RoleGrant.objects.count()
    response = grant_form(login("yuzhong"), users["jiefangbei"], "street_worker", "500101001")
    assert response.status_code == 200
    assert "不存在或不在您的管辖范围内" in response.content.decode()
    with pytest.raises(NotFound):
        services.grant_create(
            actor=users["yuzhong"],
            user=users["jiefangbei"],
            role=role("street_worker"),
            area=Area.objects.get(code="500101001"),
        )
    assert RoleGrant.objects.count() == before


@pytest.fixture
def city_ops(db: Any, users: dict[str, Any]) -> User:
    """A city-wide administrator whose home area happens to be in 渝中区."""
    user = services.user_create(
        actor=users["city_admin"],
        username="city_ops",
        password="city-ops-password-2026",
        area=Area.objects.get(code="500103"),
        full_name="市级运维",
    )
    services.grant_create(
        actor=users["city_admin"],
        user=user,
        role=role("city_admin"),
        area=Area.objects.get(code="500000"),
    )
    return user


@pytest.mark.django_db
def test_district_officer_cannot_take_over_a_city_admin_account(
    login: Any, users: dict[str, Any], city_ops: User
) -> None:
    client = login("yuzhong")
    old_hash = city_ops.password
    response = client.post(
        f"/org/users/{city_ops.pk}/", {"form": "password", "password": "taken-over-2026-x"}
    )
    assert response.status_code == 200
    assert "您没有的权限" in response.content.decode()
    city_ops.refresh_from_db()
    assert city_ops.password == old_hash
    with pytest.raises(PermissionDenied):
        services.token_create(actor=users["yuzhong"], user=city_ops)
    assert not ApiToken.objects.filter(user=city_ops).exists()


@pytest.mark.django_db
def test_district_officer_cannot_deactivate_a_city_admin_account(
    login: Any, city_ops: User
) -> None:
    response = login("yuzhong").post(
        f"/org/users/{city_ops.pk}/", {"form": "edit", "full_name": "市级运维"}
    )
    assert response.status_code == 200
    city_ops.refresh_from_db()
    assert city_ops.is_active


@pytest.mark.django_db
def test_district_officer_cannot_revoke_a_grant_they_could_not_give(
    login: Any, users: dict[str, Any]
) -> None:
    grant = services.grant_create(
        actor=users["city_admin"],
        user=users["jiefangbei"],
        role=role("city_admin"),
        area=Area.objects.get(code="500103003"),
    )
    response = login("yuzhong").post(f"/org/grants/{grant.pk}/revoke/")
    assert response.status_code == 403
    assert RoleGrant.objects.filter(pk=grant.pk).exists()


@pytest.mark.django_db
def test_district_officer_still_manages_their_own_staff(login: Any, users: dict[str, Any]) -> None:
    target = users["jiefangbei"]
    response = login("yuzhong").post(
        f"/org/users/{target.pk}/", {"form": "password", "password": "new-street-pass-2026"}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password("new-street-pass-2026")


@pytest.mark.django_db
def test_a_role_editor_cannot_add_permissions_they_do_not_hold(
    client: Any, users: dict[str, Any]
) -> None:
    editor_role = Role.objects.create(
        slug="role_editor", name="角色维护", permissions=["org.role.view", "org.role.change"]
    )
    editor = User.objects.create(username="role_editor", area=Area.objects.get(code="500000"))
    RoleGrant.objects.create(user=editor, role=editor_role, area=Area.objects.get(code="500000"))
    client.force_login(editor)
    response = client.post(
        f"/org/roles/{editor_role.pk}/",
        {"name": "角色维护", "permissions": ["org.role.view", "org.role.change"], "extra": "*"},
    )
    assert response.status_code == 200
    editor_role.refresh_from_db()
    assert "*" not in editor_role.permissions
    # Renaming or removing what they hold is fine.
    response = client.post(
        f"/org/roles/{editor_role.pk}/",
        {"name": "角色维护员", "permissions": ["org.role.view", "org.role.change"]},
    )
    assert response.status_code == 302
    editor_role.refresh_from_db()
    assert editor_role.name == "角色维护员"
