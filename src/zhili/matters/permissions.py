"""Default grants of the matters permissions, and the role matters introduces (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "unit_handler": (
        gettext_lazy("责任单位经办人"),
        gettext_lazy("责任单位：签收、退单、处置反馈、申请延期本单位承办的诉求"),
    ),
}

DEFAULT_GRANTS = {
    "district_officer": ["matters.*"],
    "street_worker": [
        "matters.matter.view",
        "matters.matter.add",
        "matters.matter.accept",
        "matters.matter.triage",
        "matters.matter.dispatch",
        "matters.matter.verify",
        "matters.matter.close",
        "matters.matter.rate",
        "matters.matter.reopen",
        "matters.matter.merge",
        "matters.matter.suspend",
        "matters.matter.self_handle",
        "matters.matter.view_personal",
        "matters.category.view",
    ],
    "grid_worker": [
        "matters.matter.view",
        "matters.matter.add",
        "matters.matter.self_handle",
        "matters.category.view",
    ],
    # A unit's staff act on the matters dispatched to their unit (matters.workflow), not by area.
    "unit_handler": ["matters.category.view"],
}
