from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from zhili.core.navigation import NavItem


class AreasConfig(AppConfig):
    name = "zhili.areas"
    label = "areas"
    verbose_name = gettext_lazy("区划与网格")
    nav = [
        NavItem(gettext_lazy("区划与网格"), "areas:tree", "areas.Area", order=10),
        NavItem(
            gettext_lazy("区域边界地图"),
            "areas:boundaries",
            "areas.Boundary",
            group=gettext_lazy("统计与地图"),
            order=40,
        ),
    ]

    def ready(self) -> None:
        from zhili.areas.models import Area
        from zhili.core import lookups

        lookups.watch("areas", Area)  # area_by_code's memo (loader and changes call changed())
