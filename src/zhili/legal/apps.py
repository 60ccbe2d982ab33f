from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class LegalConfig(AppConfig):
    name = "zhili.legal"
    label = "legal"
    verbose_name = _("一村（社区）一法律顾问")
    nav = [
        NavItem(_("法律顾问"), "legal:home", "legal.Coverage", group=_("基层自治"), order=52),
        NavItem(_("法律审查"), "legal:reviews", "legal.Review", group=_("基层自治"), order=53),
    ]

    def ready(self) -> None:
        from zhili.legal import labels, workflow  # noqa: F401  (registers the labels)
