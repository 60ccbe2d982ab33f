from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Where a user enters: the home page (their scope), their own password, "who am I" in the
    API. It sits above the modules (it may read any of them); core sits below them all."""

    name = "zhili.portal"
    label = "portal"
    verbose_name = "门户"
