from django.apps import AppConfig


class Open311Config(AppConfig):
    """Open311 GeoReport v2: third-party apps list services, post matters and follow them."""

    name = "zhili.open311"
    label = "open311"
    verbose_name = "Open311 接口"
