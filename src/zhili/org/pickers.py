"""Who may be picked as a 包片联系 leader (core.pickers): any active staff member the user may see
(a district leader or department head; the role 包片领导 is granted separately)."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

LEADER = PeopleKind(label=_("联系领导"), permission="", refusal=_("不在您的管辖范围内"))

register_people("org.leader", LEADER)
