from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PortalConfig(AppConfig):
    """Where a user enters: the home page (their scope), their own password, "who am I" in the
    API. It sits above the modules (it may read any of them); core sits below them all."""

    name = "zhili.portal"
    label = "portal"
    verbose_name = gettext_lazy("门户")
