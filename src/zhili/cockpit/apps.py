from django.apps import AppConfig

from zhili.core.navigation import NavItem


class CockpitConfig(AppConfig):
    name = "zhili.cockpit"
    label = "cockpit"
    verbose_name = "驾驶舱"
    nav = [
        NavItem("驾驶舱", "cockpit:home", "cockpit.WeeklyReport", group="统计与地图", order=10),
        NavItem(
            "雪亮工程点位", "cockpit:cameras", "cockpit.CameraPoint", group="统计与地图", order=11
        ),
    ]

    def ready(self) -> None:
        from zhili.cockpit import labels  # noqa: F401
