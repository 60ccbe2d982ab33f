from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class CompoundsConfig(AppConfig):
    name = "zhili.compounds"
    label = "compounds"
    verbose_name = _("老旧小区与联席会议")
    nav = [
        NavItem(
            _("老旧小区"), "compounds:list", "compounds.Compound", group=_("基层自治"), order=44
        ),
        NavItem(
            _("联席会议"), "compounds:meetings", "compounds.Meeting", group=_("基层自治"), order=45
        ),
    ]
    # A matter's page links to the joint meetings that resolve it (core.related).
    related = {"matters.matter": "zhili.compounds.selectors.meetings_of_matter"}

    def ready(self) -> None:
        from zhili.compounds import labels, workflow  # noqa: F401  (register labels)
