from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class CockpitConfig(AppConfig):
    name = "zhili.cockpit"
    label = "cockpit"
    verbose_name = _("驾驶舱")
    nav = [
        NavItem(
            _("驾驶舱"), "cockpit:home", "cockpit.WeeklyReport", group=_("统计与地图"), order=10
        ),
        NavItem(
            _("雪亮工程点位"),
            "cockpit:cameras",
            "cockpit.CameraPoint",
            group=_("统计与地图"),
            order=11,
        ),
    ]

    def ready(self) -> None:
        from zhili.cockpit import labels  # noqa: F401
