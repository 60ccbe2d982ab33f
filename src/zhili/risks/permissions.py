"""Default grants of the risks permissions (merged by ``org.permissions.default_roles``;
``city_admin`` holds every permission)."""

DEFAULT_GRANTS = {
    "district_officer": ["risks.*"],
    "street_worker": [
        "risks.risk.view",
        "risks.risk.add",
        "risks.risk.change",
        "risks.risk.assess",
        "risks.risk.close",
        "risks.riskcandidate.view",
        "risks.riskcandidate.change",
    ],
    "grid_worker": ["risks.risk.view"],
}
