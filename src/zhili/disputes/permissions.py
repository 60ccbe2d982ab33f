"""Default grants of the disputes permissions, and the role disputes introduces (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "mediator": (
        gettext_lazy("人民调解员"),
        gettext_lazy("调解委员会调解员：调解指派给本人的纠纷"),
    ),
}

DEFAULT_GRANTS = {
    "district_officer": ["disputes.*"],
    "street_worker": [
        "disputes.dispute.view",
        "disputes.dispute.add",
        "disputes.dispute.change",
        "disputes.dispute.mediate",
    ],
    "grid_worker": ["disputes.dispute.view"],
    "mediator": ["disputes.dispute.mediate"],  # sees and mediates the disputes assigned to them
}
