"""Default grants of the indicators permissions (merged by ``org.permissions.default_roles``;
``city_admin`` holds every permission: it edits the indicator catalogue and the instrument)."""

DEFAULT_GRANTS = {
    "district_officer": [
        "indicators.indicator.view",
        "indicators.surveyinstrument.view",
        "indicators.indicatorvalue.*",
        "indicators.indicatorrevision.view",
        "indicators.surveywave.*",
        "indicators.surveyresponse.view",
        "indicators.creationsheet.view",
    ],
    "street_worker": [
        "indicators.creationsheet.view",
        "indicators.indicator.view",
        "indicators.surveyinstrument.view",
        "indicators.indicatorvalue.view",
        "indicators.indicatorrevision.view",
        "indicators.surveywave.view",
        "indicators.surveyresponse.view",
    ],
}
