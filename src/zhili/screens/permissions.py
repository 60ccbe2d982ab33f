"""Default grants of the screens permissions: the street and district offices manage their
centres, notices, duty rosters and devices (``revoke`` stops a device)."""

DEFAULT_GRANTS = {
    "district_officer": ["screens.*"],
    "street_worker": [
        "screens.servicecentre.view",
        "screens.servicecentre.add",
        "screens.servicecentre.change",
        "screens.notice.*",
        "screens.dutyshift.*",
        "screens.screendevice.view",
        "screens.screendevice.add",
        "screens.screendevice.revoke",
    ],
}
