from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class WagesConfig(AppConfig):
    name = "zhili.wages"
    label = "wages"
    verbose_name = _("根治欠薪")
    nav = [
        NavItem(_("在建项目"), "wages:projects", "wages.Project", group=_("根治欠薪"), order=40),
        NavItem(_("欠薪预警"), "wages:warnings", "wages.Warning", group=_("根治欠薪"), order=41),
        NavItem(_("欠薪看板"), "wages:dashboard", "wages.Warning", group=_("根治欠薪"), order=42),
        NavItem(
            _("失信名单"), "wages:blacklist", "wages.BlacklistEntry", group=_("根治欠薪"), order=43
        ),
        NavItem(
            _("约谈记录"), "wages:interviews", "wages.Interview", group=_("根治欠薪"), order=44
        ),
        NavItem(_("预警规则"), "wages:rules", "wages.WageRule", group=_("根治欠薪"), order=45),
    ]
    # The rules run every night over every project (and after each import over its project).
    periodic_tasks = {"zhili.wages.tasks.wages_nightly": 24 * 3600}

    def ready(self) -> None:
        from zhili.wages import labels, workflow  # noqa: F401  (registers the labels)
