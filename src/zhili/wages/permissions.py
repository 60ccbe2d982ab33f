"""Default grants of the wages permissions (merged by ``org.permissions.default_roles``;
``city_admin`` holds every permission, and alone edits the rules and the minimum wage)."""

DEFAULT_GRANTS = {
    "district_officer": [
        "wages.project.*",
        "wages.firm.*",
        "wages.warning.*",
        "wages.interview.*",
        "wages.blacklistentry.*",
        "wages.wagerule.view",
        "wages.minimumwage.view",
    ],
    "street_worker": [
        "wages.project.view",
        "wages.project.add",
        "wages.project.change",
        "wages.project.import",
        "wages.firm.view",
        "wages.firm.add",
        "wages.warning.view",
        "wages.warning.change",
        "wages.interview.view",
        "wages.interview.add",
        "wages.blacklistentry.view",
        "wages.wagerule.view",
        "wages.minimumwage.view",
    ],
    "grid_worker": ["wages.project.view"],
}
