"""Who may be picked on a wage warning (core.pickers): the 处置人 must see the warning — the rule
``services.warning_assign`` checks (``invalid_assignee``)."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

ASSIGNEE = PeopleKind(
    label=_("处置人"),
    permission="wages.warning.view",
    refusal=_("看不到本辖区的欠薪预警"),
)

register_people("wages.assignee", ASSIGNEE)
