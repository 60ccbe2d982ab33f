"""Roles: the catalogue of permissions a role can hold, the default roles, and org's own grants.

Each app's ``permissions.py`` lists the default grants of its own permissions
(``DEFAULT_GRANTS = {"role_slug": ["<app>.<model>.<action>", ...]}``) and declares the roles it
introduces (``ROLES = {"slug": (name, description)}``); ``default_roles()`` merges them and
``sync_default_roles()`` installs them (data migrations call it). So "who may close a matter" is
answered by ``matters/permissions.py`` alone (and ``city_admin`` holds everything: ``*``).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy

from zhili.core.scoping import ScopedQuerySet

BASE_ACTIONS = ("view", "add", "change", "delete")
ACTION_LABELS = {
    "view": gettext_lazy("查看"),
    "add": gettext_lazy("新增"),
    "change": gettext_lazy("修改"),
    "delete": gettext_lazy("删除"),
    "import": gettext_lazy("导入"),
    "view_personal": gettext_lazy("查看个人信息"),
}


def catalogue() -> list[tuple[str, str]]:
    """(permission, label) for every scoped model × action."""
    out = []
    for model in apps.get_models():
        qs_class = getattr(model._default_manager, "_queryset_class", None)
        if qs_class is None or not issubclass(qs_class, ScopedQuerySet):
            continue
        extra = getattr(model, "extra_actions", ())
        for action in (*BASE_ACTIONS, *extra):
            perm = f"{model._meta.app_label}.{model._meta.model_name}.{action}"
            out.append((perm, f"{model._meta.verbose_name} · {ACTION_LABELS.get(action, action)}"))
    return out


# The roles org introduces (slug -> name, description); the city may rename them afterwards.
ROLES = {
    "city_admin": (
        gettext_lazy("市级管理员"),
        gettext_lazy("市委政法委（市域社会治理办）：全市范围的全部权限"),
    ),
    "district_officer": (
        gettext_lazy("区县治理办"),
        gettext_lazy("区县社会治理办公室：本区县的区划、单位、人员、授权和审计"),
    ),
    "street_worker": (
        gettext_lazy("街道工作人员"),
        gettext_lazy("街道（乡镇）综治中心：维护网格和楼栋，查看本街道的单位和人员"),
    ),
    "grid_worker": (gettext_lazy("网格员"), gettext_lazy("网格员：查看本网格")),
}

# Org's own permissions by role (and the city administrator's wildcard).
DEFAULT_GRANTS = {
    "city_admin": ["*"],
    "district_officer": [
        "org.unit.*",
        "org.user.*",
        "org.rolegrant.*",
        "org.liaison.*",
        "org.role.view",
    ],
    "street_worker": ["org.unit.view", "org.user.view", "org.liaison.view"],
    "target_office": ["org.unit.view", "org.user.view"],
}


def app_permission_modules() -> list[Any]:
    """The ``permissions`` module of every installed app that has one, in INSTALLED_APPS order."""
    out = []
    for config in apps.get_app_configs():
        name = f"{config.name}.permissions"
        if importlib.util.find_spec(name) is not None:
            out.append(importlib.import_module(name))
    return out


class UnknownRole(LookupError):
    pass


def default_roles() -> dict[str, dict[str, Any]]:
    """slug -> {"name", "description", "permissions" (sorted)}: every app's roles and grants."""
    modules = app_permission_modules()
    roles: dict[str, dict[str, Any]] = {}
    for module in modules:
        for slug, (name, description) in getattr(module, "ROLES", {}).items():
            roles[slug] = {"name": name, "description": description, "permissions": set()}
    for module in modules:
        for slug, perms in getattr(module, "DEFAULT_GRANTS", {}).items():
            if slug not in roles:
                raise UnknownRole(f"{module.__name__} grants to {slug!r}, a role no app declares")
            roles[slug]["permissions"].update(perms)
    for role in roles.values():
        role["permissions"] = sorted(role["permissions"])
    return roles


def sync_default_roles(role_model: Any = None) -> list[str]:
    """Install the default roles: create the missing ones, add missing default permissions to the
    existing ones (what the city added is kept; names the city changed are kept). Idempotent;
    returns the slugs it wrote. Data migrations pass their historical ``Role`` model."""
    role_model = role_model or apps.get_model("org", "Role")
    written = []
    for slug, spec in default_roles().items():
        role = role_model.objects.filter(slug=slug).first()
        if role is None:
            role_model.objects.create(slug=slug, **spec)
            written.append(slug)
        elif not set(spec["permissions"]) <= set(role.permissions):
            role.permissions = sorted(set(role.permissions) | set(spec["permissions"]))
            role.save(update_fields=["permissions"])
            written.append(slug)
    return written


def sync_migration_operation() -> Any:
    """``operations = [sync_migration_operation()]``: a data migration that installs the
    defaults as they are in the code (add one whenever a ``DEFAULT_GRANTS`` changes)."""
    from django.db import migrations

    def forwards(migration_apps: Any, schema_editor: Any) -> None:
        sync_default_roles(migration_apps.get_model("org", "Role"))

    return migrations.RunPython(forwards, migrations.RunPython.noop)
