"""Default grants of the visits permissions and the role visits introduces (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission).

A cadre records the visits of their own plan whatever their role (``visits.workflow.is_cadre``);
``record`` lets a street record on a cadre's behalf."""

from django.utils.translation import gettext_lazy

ROLES = {
    "liaison_leader": (
        gettext_lazy("包片领导"),
        gettext_lazy("区县领导或部门负责人：包片联系 1–2 个街道，查看所联系街道的楼栋走访和通报"),
    ),
}

DEFAULT_GRANTS = {
    "district_officer": ["visits.*"],
    "street_worker": [
        "visits.visitplan.view",
        "visits.visitplan.add",
        "visits.visit.view",
        "visits.visit.add",
        "visits.visit.change",
        "visits.visit.record",
        "visits.visit.view_personal",
    ],
    "grid_worker": ["visits.visitplan.view", "visits.visit.view"],
    "liaison_leader": ["visits.visitplan.view", "visits.visit.view"],
}
