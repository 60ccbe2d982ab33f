from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class DeliberationConfig(AppConfig):
    name = "zhili.deliberation"
    label = "deliberation"
    verbose_name = _("村（居）民自治：四议两公开、一事一议")
    nav = [
        NavItem(
            _("四议两公开"),
            "deliberation:list",
            "deliberation.Deliberation",
            group=_("基层自治"),
            order=50,
        ),
        NavItem(
            _("一事一议"),
            "deliberation:projects",
            "deliberation.Project",
            group=_("基层自治"),
            order=51,
        ),
    ]

    def ready(self) -> None:
        from zhili.deliberation import labels, workflow  # noqa: F401  (registers the labels)
