"""The platform account of a legal adviser (core.pickers): any active staff member the registrar
may see (an adviser's account usually holds the 法律顾问 role only after it is linked)."""

from django.utils.translation import gettext_lazy as _

from zhili.core.pickers import PeopleKind, register_people

ACCOUNT = PeopleKind(label=_("平台账号"), permission="", refusal=_("不在您的管辖范围内"))

register_people("legal.account", ACCOUNT)
