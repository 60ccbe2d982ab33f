"""Default grants of the areas permissions (merged by ``org.permissions.default_roles``)."""

DEFAULT_GRANTS = {
    "district_officer": ["areas.*"],
    # Street centres keep their grids and buildings.
    "street_worker": [
        "areas.area.view",
        "areas.area.add",
        "areas.area.change",
        "areas.area.import",
        "areas.boundary.view",
        "areas.areachange.view",
    ],
    "grid_worker": ["areas.area.view"],
    "target_office": ["areas.area.view"],
}
