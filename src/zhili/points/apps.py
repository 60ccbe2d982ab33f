from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class PointsConfig(AppConfig):
    name = "zhili.points"
    label = "points"
    verbose_name = _("积分银行")
    nav = [
        NavItem(_("积分银行"), "points:home", "points.Household", group=_("基层自治"), order=60),
    ]
    periodic_tasks = {
        "zhili.points.tasks.points_reconcile": 24 * 3600,
        "zhili.points.tasks.points_expire_holds": 300,
    }

    def ready(self) -> None:
        from zhili.points import labels, workflow  # noqa: F401
