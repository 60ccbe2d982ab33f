"""The catalogue of permissions a role can hold, built from the scoped models and their actions."""

from __future__ import annotations

from django.apps import apps

from zhili.core.scoping import ScopedQuerySet

BASE_ACTIONS = ("view", "add", "change", "delete")
ACTION_LABELS = {
    "view": "查看",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "import": "导入",
    "view_personal": "查看个人信息",
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


# Default roles, installed by a data migration; the city can change them afterwards.
DEFAULT_ROLES = [
    {
        "slug": "city_admin",
        "name": "市级管理员",
        "description": "市委政法委（市域社会治理办）：全市范围的全部权限",
        "permissions": ["*"],
    },
    {
        "slug": "district_officer",
        "name": "区县治理办",
        "description": "区县社会治理办公室：本区县的区划、单位、人员、授权和审计",
        "permissions": [
            "areas.*",
            "org.unit.*",
            "org.user.*",
            "org.rolegrant.*",
            "org.liaison.*",
            "org.role.view",
            "core.auditevent.view",
        ],
    },
    {
        "slug": "street_worker",
        "name": "街道工作人员",
        "description": "街道（乡镇）综治中心：维护网格和楼栋，查看本街道的单位和人员",
        "permissions": [
            "areas.area.view",
            "areas.area.change",
            "areas.area.add",
            "areas.area.import",
            "areas.boundary.view",
            "areas.areachange.view",
            "org.unit.view",
            "org.user.view",
            "org.liaison.view",
            "core.auditevent.view",
        ],
    },
    {
        "slug": "grid_worker",
        "name": "网格员",
        "description": "网格员：查看本网格",
        "permissions": ["areas.area.view"],
    },
]
