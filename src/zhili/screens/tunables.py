"""The screens' business parameters (core.tunables: edited on 业务参数, audited): how the
satisfaction rate of a staff member shown on the screen is taken (docs/screens.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core.tunables import Tunable

GROUP = _("公示屏服务评价")

TUNABLES = [
    Tunable(
        "screens.rating_window_days",
        _("满意率统计最近"),
        GROUP,
        default=90,
        minimum=7,
        maximum=730,
        unit=_("天"),
        setting="ZHILI_RATING_WINDOW_DAYS",
        help=_("公示屏上服务人员的满意率只计这段时间内的评价"),
        order=10,
    ),
    Tunable(
        "screens.rating_min_count",
        _("满意率公示最少评价数"),
        GROUP,
        default=5,
        minimum=1,
        maximum=1000,
        unit=pgettext_lazy("ratings", "条"),
        setting="ZHILI_RATING_MIN_COUNT",
        help=_("统计期内评价少于此数的服务人员，公示屏上不显示满意率"),
        order=20,
    ),
    Tunable(
        "screens.rating_limit_per_hour",
        _("同一网络地址每小时最多评价"),
        GROUP,
        default=10,
        minimum=1,
        maximum=1000,
        unit=_("次"),
        setting="ZHILI_PUBLIC_RATING_LIMIT",
        help=_("超过后该地址须等一小时再评价（防刷评）"),
        order=30,
    ),
]
