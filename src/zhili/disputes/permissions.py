"""Default grants of the disputes permissions, and the role disputes introduces (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

ROLES = {
    "mediator": ("人民调解员", "调解委员会调解员：调解指派给本人的纠纷"),
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
