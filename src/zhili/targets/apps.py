from django.apps import AppConfig

from zhili.core.navigation import NavItem


class TargetsConfig(AppConfig):
    name = "zhili.targets"
    label = "targets"
    verbose_name = "目标管理（打表推进）"
    nav = [
        NavItem("打表推进", "targets:plans", "targets.Report", group="目标管理", order=30),
        NavItem("进度预警", "targets:late", "targets.Report", group="目标管理", order=31),
        NavItem("考核排名", "targets:ranking_latest", "targets.Score", group="目标管理", order=32),
    ]
