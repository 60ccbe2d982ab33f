"""Default grants of the cockpit permissions. ``cockpit.weeklyreport.view`` over an area is the
right to open the cockpit there (each section still shows only what its module lets the user see);
``add`` asks for a weekly report."""

DEFAULT_GRANTS = {
    "district_officer": ["cockpit.*"],
    "street_worker": [
        "cockpit.weeklyreport.view",
        "cockpit.weeklyreport.add",
        "cockpit.camerapoint.view",
        "cockpit.camerapoint.add",
        "cockpit.camerapoint.change",
    ],
    "grid_worker": ["cockpit.camerapoint.view"],
}
