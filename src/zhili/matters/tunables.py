"""Matters' business parameters (core.tunables: edited on 业务参数, audited). DOMAIN.md §3."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhili.core.i18n import lazy_format
from zhili.core.tunables import Tunable
from zhili.matters.models import DEFAULT_LIMITS, STAGE_LABELS, HandlingMode

GROUP = _("群众诉求")
LIMITS_GROUP = _("四事四办默认时限")
UNITS = {"h": _("小时"), "wd": _("个工作日")}

TUNABLES = [
    Tunable(
        "matters.max_extension_workdays",
        _("一次延期最多"),
        GROUP,
        default=15,
        minimum=1,
        maximum=60,
        unit=_("个工作日"),
        setting="ZHILI_MAX_EXTENSION_WORKDAYS",
        order=10,
    ),
    Tunable(
        "matters.self_handle_sample_percent",
        _("自行处置抽查比例"),
        GROUP,
        default=20,
        minimum=0,
        maximum=100,
        kind="float",
        unit="%",
        help=_("网格员自行处置的诉求按此比例随机进入抽查核实队列"),
        order=20,
    ),
    Tunable(
        "matters.ranking_min_sample",
        _("排名最小样本"),
        GROUP,
        default=30,
        minimum=1,
        maximum=100000,
        unit=_("件"),
        setting="ZHILI_RANKING_MIN_SAMPLE",
        help=_("样本少于此数的区域或单位不参与排名"),
        order=30,
    ),
    Tunable(
        "matters.warn_before_hours",
        _("临期预警提前"),
        GROUP,
        default=24,
        minimum=0,
        maximum=720,
        kind="float",
        unit=_("小时"),
        setting="ZHILI_WARN_BEFORE_HOURS",
        order=40,
    ),
    Tunable(
        "matters.escalate_after_hours",
        _("督办后仍未处置，升级到上一级"),
        GROUP,
        default=24,
        minimum=1,
        maximum=720,
        kind="float",
        unit=_("小时"),
        setting="ZHILI_ESCALATE_AFTER_HOURS",
        order=50,
    ),
    Tunable(
        "matters.escalate_again_hours",
        _("升级督办后仍未处置，再升一级"),
        GROUP,
        default=48,
        minimum=1,
        maximum=720,
        kind="float",
        unit=_("小时"),
        help=_("街道 → 区县 → 市，每升一级各自等待"),
        order=55,
    ),
    Tunable(
        "matters.duplicate_radius_m",
        _("重复诉求：距离"),
        GROUP,
        default=200,
        minimum=1,
        maximum=5000,
        kind="float",
        unit=_("米"),
        setting="ZHILI_DUPLICATE_RADIUS_M",
        order=60,
    ),
    Tunable(
        "matters.duplicate_window_days",
        _("重复诉求：时间窗"),
        GROUP,
        default=7,
        minimum=1,
        maximum=90,
        kind="float",
        unit=_("天"),
        setting="ZHILI_DUPLICATE_WINDOW_DAYS",
        order=70,
    ),
    Tunable(
        "matters.duplicate_min_similarity",
        _("重复诉求：最低文字相似度"),
        GROUP,
        default=0.3,
        minimum=0.05,
        maximum=1,
        kind="float",
        setting="ZHILI_DUPLICATE_MIN_SIMILARITY",
        help=_("0 到 1 之间，越大越严格"),
        order=80,
    ),
    Tunable(
        "matters.export_now_limit",
        _("诉求清单立即导出上限"),
        GROUP,
        default=10000,
        minimum=1,
        maximum=10000,
        unit=_("件"),
        help=_("筛选结果多于此数时，导出在后台生成并显示进度（core.exports）"),
        order=90,
    ),
]

# 四事四办: the default limit of each mode and stage (a category's own limits override it). The
# unit (hours or working days) is part of the mode's definition; the number is the city's.
for _i, (_mode, _label) in enumerate(HandlingMode.choices):
    for _j, _stage in enumerate(STAGE_LABELS):
        _value, _unit = DEFAULT_LIMITS[_mode][_stage]
        TUNABLES.append(
            Tunable(
                f"matters.limit.{_mode}.{_stage}",
                lazy_format(
                    "%(mode)s · %(stage)s", {"mode": _label, "stage": STAGE_LABELS[_stage]}
                ),
                LIMITS_GROUP,
                default=_value,
                minimum=0.5 if _unit == "h" else 1,
                maximum=720 if _unit == "h" else 120,
                kind="float" if _unit == "h" else "int",
                unit=UNITS[_unit],
                order=_i * 10 + _j,
            )
        )
