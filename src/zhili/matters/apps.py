from django.apps import AppConfig

from zhili.core.navigation import NavItem


class MattersConfig(AppConfig):
    name = "zhili.matters"
    label = "matters"
    verbose_name = "群众诉求"
    nav = [
        NavItem("诉求工作台", "matters:queue", "matters.Matter", order=20, unit_staff=True),
        NavItem("诉求统计", "matters:metrics", "matters.Matter", group="统计与地图", order=22),
        NavItem("诉求分类", "matters:categories", "matters.Category", order=60, group="组织与权限"),
    ]

    # Background exports (core.exports): the queue above list_xlsx.EXPORT_LIMIT rows.
    exports = {"matters.queue": "zhili.matters.list_xlsx.build_queue_export"}

    @staticmethod
    def periodic_tasks() -> dict[str, float]:
        from django.conf import settings

        return {
            "zhili.matters.tasks.sweep_deadlines": float(
                getattr(settings, "ZHILI_SWEEP_INTERVAL_SECONDS", 300)
            )
        }
