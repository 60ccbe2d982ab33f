from django.apps import AppConfig
from django.utils.translation import gettext_lazy

from zhili.core.navigation import NavItem


class MattersConfig(AppConfig):
    name = "zhili.matters"
    label = "matters"
    verbose_name = gettext_lazy("群众诉求")
    nav = [
        NavItem(
            gettext_lazy("诉求工作台"), "matters:queue", "matters.Matter", order=20, unit_staff=True
        ),
        NavItem(
            gettext_lazy("诉求统计"),
            "matters:metrics",
            "matters.Matter",
            group=gettext_lazy("统计与地图"),
            order=22,
        ),
        NavItem(
            gettext_lazy("诉求分类"),
            "matters:categories",
            "matters.Category",
            order=60,
            group=gettext_lazy("组织与权限"),
        ),
    ]

    # Background exports (core.exports): the queue above list_xlsx.EXPORT_LIMIT rows.
    exports = {"matters.queue": "zhili.matters.list_xlsx.build_queue_export"}

    def ready(self) -> None:
        from zhili.areas.models import Area
        from zhili.core import lookups
        from zhili.matters.models import Category, RoutingRule
        from zhili.org.models import Unit

        # The memos of intake (core.lookups): the catalogue by code, the routing rules' unit.
        lookups.watch("catalogue", Category)
        lookups.watch("routing", RoutingRule, Unit, Area, Category)

    @staticmethod
    def periodic_tasks() -> dict[str, float]:
        from django.conf import settings

        return {
            "zhili.matters.tasks.sweep_deadlines": float(
                getattr(settings, "ZHILI_SWEEP_INTERVAL_SECONDS", 300)
            )
        }
