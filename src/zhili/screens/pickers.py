"""The platform account of a centre's staff member (core.pickers): any active staff account the
registrar may see."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

ACCOUNT = PeopleKind(label=_("平台账号"), permission="", refusal=_("不在您的管辖范围内"))

register_people("screens.account", ACCOUNT)
