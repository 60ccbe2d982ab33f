"""Risks' business parameters (core.tunables: edited on 业务参数, audited). DOMAIN.md §5.

The hot-spot thresholds (``risks.hotspots``); the level policies (handling limit, review cadence,
escalation) stay on their own page (分级管控规则) as rows per level."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhili.core.tunables import Tunable

GROUP = _("风险热点发现")

TUNABLES = [
    Tunable(
        "risks.hotspot_window_days",
        _("热点：统计窗口"),
        GROUP,
        default=7,
        minimum=1,
        maximum=60,
        unit=_("天"),
        order=10,
    ),
    Tunable(
        "risks.hotspot_baseline_windows",
        _("热点：基线窗口数"),
        GROUP,
        default=8,
        minimum=1,
        maximum=26,
        unit=_("个"),
        help=_("与此前若干个同长窗口的平均数相比"),
        order=20,
    ),
    Tunable(
        "risks.hotspot_ratio",
        _("热点：高于基线倍数"),
        GROUP,
        default=2.0,
        minimum=1,
        maximum=20,
        kind="float",
        unit=_("倍"),
        order=30,
    ),
    Tunable(
        "risks.hotspot_min_count",
        _("热点：最少件数"),
        GROUP,
        default=5,
        minimum=1,
        maximum=10000,
        unit=pgettext_lazy("case", "件"),
        order=40,
    ),
    Tunable(
        "risks.repeat_count",
        _("重复反映：次数"),
        GROUP,
        default=3,
        minimum=2,
        maximum=1000,
        unit=_("次"),
        order=50,
    ),
    Tunable(
        "risks.repeat_days",
        _("重复反映：时间窗"),
        GROUP,
        default=30,
        minimum=1,
        maximum=365,
        unit=_("天"),
        order=60,
    ),
]
