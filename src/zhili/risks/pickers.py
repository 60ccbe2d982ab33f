"""Who may be picked on a risk (core.pickers): the 责任人 acts on the risk, so holds ``change``
over its place; a measure's 负责人 must at least see the risk (``view``). The same rules are
checked by ``services.risk_assign`` and ``services.measure_add``."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

RESPONSIBLE = PeopleKind(
    label=_("责任人"),
    permission="risks.risk.change",
    refusal=_("没有处置本辖区风险的权限"),
)
MEASURE_OWNER = PeopleKind(
    label=_("措施负责人"),
    permission="risks.risk.view",
    refusal=_("看不到本辖区的风险"),
)

register_people("risks.responsible", RESPONSIBLE)
register_people("risks.measure_owner", MEASURE_OWNER)
