from django.apps import AppConfig

from zhili.core.navigation import NavItem


class ScreensConfig(AppConfig):
    name = "zhili.screens"
    label = "screens"
    verbose_name = "公示屏"
    nav = [
        NavItem("公示屏", "screens:manage", "screens.ServiceCentre", group="统计与地图", order=12)
    ]

    def ready(self) -> None:
        from zhili.screens import labels  # noqa: F401
