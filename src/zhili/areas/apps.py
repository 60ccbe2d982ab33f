from django.apps import AppConfig

from zhili.core.navigation import NavItem


class AreasConfig(AppConfig):
    name = "zhili.areas"
    label = "areas"
    verbose_name = "区划与网格"
    nav = [
        NavItem("区划与网格", "areas:tree", "areas.Area", order=10),
        NavItem("区域边界地图", "areas:boundaries", "areas.Boundary", group="统计与地图", order=40),
    ]
