from django.apps import AppConfig

from zhili.core.navigation import NavItem


class OrgConfig(AppConfig):
    name = "zhili.org"
    label = "org"
    verbose_name = "组织与权限"
    nav = [
        NavItem("单位", "org:units", "org.Unit", group="组织与权限", order=50),
        NavItem("用户", "org:users", "org.User", group="组织与权限", order=51),
        NavItem("角色", "org:roles", "org.Role", group="组织与权限", order=52),
        NavItem("包片联系", "org:liaisons", "org.Liaison", group="组织与权限", order=53),
    ]
