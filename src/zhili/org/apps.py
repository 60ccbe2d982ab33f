from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from zhili.core.navigation import NavItem


class OrgConfig(AppConfig):
    name = "zhili.org"
    label = "org"
    verbose_name = gettext_lazy("组织与权限")
    nav = [
        NavItem(
            gettext_lazy("单位"),
            "org:units",
            "org.Unit",
            group=gettext_lazy("组织与权限"),
            order=50,
        ),
        NavItem(
            gettext_lazy("用户"),
            "org:users",
            "org.User",
            group=gettext_lazy("组织与权限"),
            order=51,
        ),
        NavItem(
            gettext_lazy("角色"),
            "org:roles",
            "org.Role",
            group=gettext_lazy("组织与权限"),
            order=52,
        ),
        NavItem(
            gettext_lazy("包片联系"),
            "org:liaisons",
            "org.Liaison",
            group=gettext_lazy("组织与权限"),
            order=53,
        ),
    ]

    def ready(self) -> None:
        from zhili.areas.models import Area
        from zhili.core import labels, lookups
        from zhili.org.models import Role, RoleGrant, Unit

        lookups.watch("units", Unit)  # unit_by_id's memo (a matter's lead and suggested unit)
        labels.register_audit_reference("org.unit", _unit_name)
        # core.scoping.user_grants' memo: a grant given or revoked, a role's permissions, an
        # area ended (its grants stop counting); the area bulk writes call changed("grants").
        lookups.watch("grants", RoleGrant, Role, Area)


def _unit_name(pk: int) -> str | None:
    """A unit as an audit record's reference reads: its name."""
    from zhili.org.selectors import unit_by_id

    unit = unit_by_id(pk)
    return unit.name if unit is not None else None
