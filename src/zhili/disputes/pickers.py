"""Who may be picked on a dispute (core.pickers): a mediator holds ``mediate`` over the place and
belongs to a 人民调解委员会 (``services.dispute_assign`` checks the same, and the committee)."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

MEDIATOR = PeopleKind(
    label=_("调解员"),
    permission="disputes.dispute.mediate",
    refusal=_("没有在本辖区调解纠纷的权限或不属于人民调解委员会"),
    unit_types=("mediation_committee",),
)

register_people("disputes.mediator", MEDIATOR)
