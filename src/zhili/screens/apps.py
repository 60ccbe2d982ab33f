from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class ScreensConfig(AppConfig):
    name = "zhili.screens"
    label = "screens"
    verbose_name = _("公示屏")
    nav = [
        NavItem(
            _("公示屏"), "screens:manage", "screens.ServiceCentre", group=_("统计与地图"), order=12
        )
    ]

    def ready(self) -> None:
        from zhili.screens import labels  # noqa: F401
