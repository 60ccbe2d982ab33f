from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class VisitsConfig(AppConfig):
    name = "zhili.visits"
    label = "visits"
    verbose_name = _("楼栋工作日")
    nav = [
        NavItem(_("我的走访"), "visits:mine", "visits.Visit", group=_("基层自治"), order=40),
        NavItem(_("走访计划"), "visits:plans", "visits.VisitPlan", group=_("基层自治"), order=41),
        NavItem(
            _("走访统计与通报"), "visits:report", "visits.Visit", group=_("基层自治"), order=42
        ),
        NavItem(
            _("包片联系检查"), "visits:liaisons", "visits.VisitPlan", group=_("基层自治"), order=43
        ),
    ]
    # A matter's page links to the visit its demand came from (core.related).
    related = {"matters.matter": "zhili.visits.selectors.visits_of_matter"}

    def ready(self) -> None:
        from zhili.visits import labels, workflow  # noqa: F401  (register labels)
