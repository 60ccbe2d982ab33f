"""Who may be picked as a visit plan's cadre (core.pickers): any active staff member the planner
may see — a cadre records the visits of their own plan whatever their role
(``visits.workflow.is_cadre``); ``services.plan_create`` refuses an inactive one."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

CADRE = PeopleKind(label=_("走访干部"), permission="", refusal=_("不在您的管辖范围内"))

register_people("visits.cadre", CADRE)
