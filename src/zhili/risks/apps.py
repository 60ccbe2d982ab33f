from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class RisksConfig(AppConfig):
    name = "zhili.risks"
    label = "risks"
    verbose_name = _("风险台账")
    nav = [
        NavItem(_("风险台账"), "risks:register", "risks.Risk", group=_("风险与纠纷"), order=30),
        NavItem(
            _("风险线索"),
            "risks:candidates",
            "risks.RiskCandidate",
            group=_("风险与纠纷"),
            order=31,
        ),
    ]
    # Links on a matter's page to the risks registered from it (core.related).
    related = {"matters.matter": "zhili.risks.selectors.risks_of_matter"}
    # Escalation, overdue notices and acceptance expiry hourly; hot-spot scan every six hours.
    periodic_tasks = {
        "zhili.risks.tasks.risk_sweep": 3600,
        "zhili.risks.tasks.hotspot_scan": 6 * 3600,
    }

    def ready(self) -> None:
        from zhili.risks import workflow  # noqa: F401  (registers the risk event labels)
