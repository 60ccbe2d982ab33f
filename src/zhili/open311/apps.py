from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Open311Config(AppConfig):
    """Open311 GeoReport v2: third-party apps list services, post matters and follow them."""

    name = "zhili.open311"
    label = "open311"
    verbose_name = gettext_lazy("Open311 接口")
