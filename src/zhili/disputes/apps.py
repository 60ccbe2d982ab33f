from django.apps import AppConfig

from zhili.core.navigation import NavItem


class DisputesConfig(AppConfig):
    name = "zhili.disputes"
    label = "disputes"
    verbose_name = "矛盾纠纷多元化解"
    nav = [
        NavItem("矛盾纠纷", "disputes:list", "disputes.Dispute", group="风险与纠纷", order=35),
        # A mediator holds only ``mediate``: they see the disputes assigned to them.
        NavItem(
            "我调解的纠纷",
            "disputes:mine",
            "disputes.Dispute",
            action="mediate",
            group="风险与纠纷",
            order=36,
        ),
        NavItem("调解统计", "disputes:stats", "disputes.Dispute", group="统计与地图", order=41),
    ]
    # Links on a matter's page to the disputes taken up from it (core.related).
    related = {"matters.matter": "zhili.disputes.selectors.disputes_of_matter"}
    # Overdue, confirmation-window and follow-up reminders (disputes/reminders.py), hourly.
    periodic_tasks = {"zhili.disputes.tasks.dispute_reminders": 3600}

    def ready(self) -> None:
        # The rules table registers its labels (actions, states, describer) at import.
        from zhili.disputes import workflow  # noqa: F401
