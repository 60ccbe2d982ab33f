"""Default roles: declared per app in ``<app>/permissions.py``, merged in org, installed by one
idempotent sync that the migrations run."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps

from zhili.org.models import Role, RoleGrant
from zhili.org.permissions import app_permission_modules, default_roles, sync_default_roles


@pytest.mark.django_db
def test_roles_after_migrate_are_the_declared_defaults() -> None:
    installed = {
        r.slug: {"name": r.name, "description": r.description, "permissions": sorted(r.permissions)}
        for r in Role.objects.all()
    }
    assert installed == default_roles()
    assert sync_default_roles() == []  # nothing left to do: idempotent


def test_who_may_close_a_matter_is_one_file() -> None:
    """An app's permissions.py grants only that app's permissions (org also grants "*"), so one
    file answers for one permission; every named permission exists."""
    for module in app_permission_modules():
        app_label = module.__name__.split(".")[-2]
        for slug, perms in module.DEFAULT_GRANTS.items():
            for perm in perms:
                if perm == "*" and app_label == "org":
                    continue
                assert perm.startswith(f"{app_label}."), (module.__name__, slug, perm)
                parts = perm.split(".")
                assert len(parts) in (2, 3) and parts[-1], perm
                if len(parts) == 3 and parts[1] != "*":
                    apps.get_model(parts[0], parts[1])  # raises for a misspelt model
    roles = default_roles()
    closers = {s for s, r in roles.items() if _allows(r["permissions"], "matters.matter.close")}
    assert closers == {"city_admin", "district_officer", "street_worker"}


def _allows(patterns: list[str], perm: str) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(perm, p) for p in patterns)


@pytest.mark.django_db
def test_sync_adds_what_is_missing_and_keeps_what_the_city_changed() -> None:
    street = Role.objects.get(slug="street_worker")
    street.permissions = [p for p in street.permissions if p != "matters.matter.close"] + [
        "targets.score.view"
    ]
    street.name = "街道综治中心工作人员"
    street.save()
    RoleGrant.objects.filter(role__slug="mediator").delete()
    Role.objects.filter(slug="mediator").delete()

    assert sorted(sync_default_roles()) == ["mediator", "street_worker"]
    street.refresh_from_db()
    assert "matters.matter.close" in street.permissions
    assert "targets.score.view" in street.permissions
    assert street.name == "街道综治中心工作人员"
    assert (
        Role.objects.get(slug="mediator").permissions == default_roles()["mediator"]["permissions"]
    )
    assert sync_default_roles() == []


def test_a_grant_to_an_undeclared_role_is_an_error(monkeypatch: Any) -> None:
    from zhili.matters import permissions
    from zhili.org.permissions import UnknownRole

    monkeypatch.setitem(permissions.DEFAULT_GRANTS, "street_wroker", ["matters.matter.view"])
    with pytest.raises(UnknownRole):
        default_roles()


@pytest.mark.django_db
def test_a_default_role_reads_in_the_users_language_and_a_renamed_one_as_named(
    login: Any, users: dict[str, Any]
) -> None:
    """Roles are stored in the platform's language; a default one the city has not renamed is
    shown by the label its app declares (English in English), a renamed one as the city named
    it, in either language."""
    from django.utils import translation

    grid = Role.objects.get(slug="grid_worker")
    street = Role.objects.get(slug="street_worker")
    with translation.override("en"):
        assert grid.label == "Grid worker" and str(grid) == "Grid worker"
        assert street.description_label.startswith("Street")
    with translation.override("zh-hans"):
        assert grid.label == "网格员" and grid.description_label == grid.description
    grid.name = "网格管理员"
    grid.save()
    with translation.override("en"):
        assert grid.label == "网格管理员"

    client = login("jiefangbei")
    client.cookies["django_language"] = "en"
    home = client.get("/").content.decode()
    assert '<div class="fw-bold">Street staff</div>' in home  # the grant on the home page
    client.cookies["django_language"] = "zh-hans"
    assert '<div class="fw-bold">街道工作人员</div>' in client.get("/").content.decode()
