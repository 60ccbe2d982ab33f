"""Default grants of the legal permissions, and the legal adviser's role (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "legal_adviser": (
        gettext_lazy("法律顾问"),
        gettext_lazy("一村（社区）一法律顾问：登记法律服务，审查所服务村（社区）送审的重大事项"),
    ),
}

DEFAULT_GRANTS = {
    "district_officer": ["legal.*"],
    # The township (street) arranges advisers for its villages and communities.
    "street_worker": [
        "legal.adviser.view",
        "legal.adviser.add",
        "legal.coverage.view",
        "legal.coverage.add",
        "legal.duty.view",
        "legal.duty.add",
        "legal.consultation.view",
        "legal.review.view",
    ],
    "village_secretary": [
        "legal.adviser.view",
        "legal.coverage.view",
        "legal.duty.view",
        "legal.consultation.view",
        "legal.review.view",
        "legal.review.request",
    ],
    # Decides only the reviews assigned to the adviser (legal.workflow: only_also).
    "legal_adviser": [
        "legal.adviser.view",
        "legal.coverage.view",
        "legal.duty.view",
        "legal.consultation.view",
        "legal.consultation.add",
        "legal.consultation.view_personal",
        "legal.review.view",
        "legal.review.decide",
    ],
}
