from django.apps import AppConfig

from zhili.core.navigation import NavItem


class WagesConfig(AppConfig):
    name = "zhili.wages"
    label = "wages"
    verbose_name = "根治欠薪"
    nav = [
        NavItem("在建项目", "wages:projects", "wages.Project", group="根治欠薪", order=40),
        NavItem("欠薪预警", "wages:warnings", "wages.Warning", group="根治欠薪", order=41),
        NavItem("欠薪看板", "wages:dashboard", "wages.Warning", group="根治欠薪", order=42),
        NavItem("失信名单", "wages:blacklist", "wages.BlacklistEntry", group="根治欠薪", order=43),
        NavItem("约谈记录", "wages:interviews", "wages.Interview", group="根治欠薪", order=44),
        NavItem("预警规则", "wages:rules", "wages.WageRule", group="根治欠薪", order=45),
    ]
    # The rules run every night over every project (and after each import over its project).
    periodic_tasks = {"zhili.wages.tasks.wages_nightly": 24 * 3600}

    def ready(self) -> None:
        from zhili.wages import labels, workflow  # noqa: F401  (registers the labels)
