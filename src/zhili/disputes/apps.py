from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class DisputesConfig(AppConfig):
    name = "zhili.disputes"
    label = "disputes"
    verbose_name = _("矛盾纠纷多元化解")
    nav = [
        NavItem(
            _("矛盾纠纷"), "disputes:list", "disputes.Dispute", group=_("风险与纠纷"), order=35
        ),
        # A mediator holds only ``mediate``: they see the disputes assigned to them.
        NavItem(
            _("我调解的纠纷"),
            "disputes:mine",
            "disputes.Dispute",
            action="mediate",
            group=_("风险与纠纷"),
            order=36,
        ),
        NavItem(
            _("调解统计"), "disputes:stats", "disputes.Dispute", group=_("统计与地图"), order=41
        ),
    ]
    # Links on a matter's page to the disputes taken up from it (core.related).
    related = {"matters.matter": "zhili.disputes.selectors.disputes_of_matter"}
    # Overdue, confirmation-window and follow-up reminders (disputes/reminders.py), hourly.
    periodic_tasks = {"zhili.disputes.tasks.dispute_reminders": 3600}

    def ready(self) -> None:
        # The rules table registers its labels (actions, states, describer) at import.
        from zhili.disputes import workflow  # noqa: F401
