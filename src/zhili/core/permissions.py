"""Default grants of core's permissions (merged by ``org.permissions.default_roles``)."""

DEFAULT_GRANTS = {
    "district_officer": ["core.auditevent.view"],
    "street_worker": ["core.auditevent.view"],
    "target_office": ["core.auditevent.view"],
}
