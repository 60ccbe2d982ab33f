"""Default grants of the compounds permissions (merged by ``org.permissions.default_roles``;
``city_admin`` holds every permission)."""

DEFAULT_GRANTS = {
    "district_officer": ["compounds.*"],
    "street_worker": [
        "compounds.compound.view",
        "compounds.compound.add",
        "compounds.compound.change",
        "compounds.meeting.view",
        "compounds.meeting.add",
        "compounds.meeting.change",
        "compounds.followup.view",
        "compounds.followup.add",
        "compounds.followup.change",
        "compounds.followup.complete",
    ],
    "grid_worker": [
        "compounds.compound.view",
        "compounds.meeting.view",
        "compounds.followup.view",
    ],
    "liaison_leader": ["compounds.compound.view", "compounds.meeting.view"],
}
