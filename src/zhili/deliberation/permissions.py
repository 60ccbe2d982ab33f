"""Default grants of the deliberation permissions, and the village secretary's role (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "village_secretary": (
        gettext_lazy("村（社区）书记"),
        gettext_lazy(
            "村（社区）党组织书记或主任：登记四议两公开事项和一事一议项目，记录各步骤，送法律审查"
        ),
    ),
}

DEFAULT_GRANTS = {
    "district_officer": ["deliberation.*"],
    # The township (street) office witnesses decisions, reviews 一事一议 and sets nothing else.
    "street_worker": [
        "deliberation.deliberation.view",
        "deliberation.deliberation.witness",
        "deliberation.deliberation.change",
        "deliberation.project.view",
        "deliberation.project.review",
        "deliberation.project.view_personal",
    ],
    "grid_worker": ["deliberation.deliberation.view", "deliberation.project.view"],
    "village_secretary": [
        "deliberation.deliberation.view",
        "deliberation.deliberation.add",
        "deliberation.deliberation.record",
        "deliberation.deliberation.change",
        "deliberation.project.view",
        "deliberation.project.add",
        "deliberation.project.record",
        "deliberation.project.view_personal",
    ],
}
