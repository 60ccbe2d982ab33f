"""Default grants of the screens permissions: the street and district offices manage their
centres, notices, duty rosters, staff and devices (``revoke`` stops a device); a service centre's
manager (便民服务中心负责人) keeps its roster and staff and reads its residents' ratings with their
comments. Ratings are written by residents only (no one holds ``staffrating.add``)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "centre_manager": (
        gettext_lazy("便民服务中心负责人"),
        gettext_lazy(
            "村（社区）便民服务中心：维护本中心的服务人员、值班安排和公告，查看群众对服务人员的评价和意见"
        ),
    ),
}

DEFAULT_GRANTS = {
    "district_officer": ["screens.*"],
    "street_worker": [
        "screens.servicecentre.view",
        "screens.servicecentre.add",
        "screens.servicecentre.change",
        "screens.notice.*",
        "screens.dutyshift.*",
        "screens.centrestaff.*",
        "screens.staffrating.view",
        "screens.screendevice.view",
        "screens.screendevice.add",
        "screens.screendevice.revoke",
    ],
    "centre_manager": [
        "screens.servicecentre.view",
        "screens.notice.*",
        "screens.dutyshift.*",
        "screens.centrestaff.*",
        "screens.staffrating.view",
    ],
}
