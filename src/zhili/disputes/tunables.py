"""Disputes' business parameters (core.tunables: edited on 业务参数, audited). DOMAIN.md §6."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from zhili.core.tunables import Tunable

GROUP = _("矛盾纠纷")


def _days(
    key: str, label: object, default: int, order: int, *, setting: str = "", help: object = ""
) -> Tunable:
    return Tunable(
        key,
        label,
        GROUP,
        default=default,
        minimum=1,
        maximum=365,
        unit=_("天"),
        setting=setting,
        help=help,
        order=order,
    )


TUNABLES = [
    _days(
        "disputes.days",
        _("人民调解期限"),
        30,
        10,
        setting="ZHILI_DISPUTE_DAYS",
        help=_("人民调解一般在一个月内结束"),
    ),
    _days("disputes.court_days", _("诉调对接调解期限"), 30, 20),
    _days(
        "disputes.court_extension_days",
        _("诉调对接最多延长"),
        30,
        30,
        help=_("仅诉调对接案件，经双方当事人申请可延长一次"),
    ),
    Tunable(
        "disputes.police_hours",
        _("警调对接反馈时限"),
        GROUP,
        default=24,
        minimum=1,
        maximum=240,
        unit=_("小时"),
        order=40,
    ),
    _days("disputes.police_complex_days", _("警调对接复杂案件时限"), 5, 50),
    _days(
        "disputes.confirmation_days",
        _("司法确认申请期限"),
        30,
        60,
        help=_("自当事人申请（协议签订）之日起算"),
    ),
    _days(
        "disputes.follow_up_days",
        _("结案后回访期限"),
        15,
        70,
        setting="ZHILI_DISPUTE_FOLLOW_UP_DAYS",
    ),
    Tunable(
        "disputes.confirmation_warn_days",
        _("司法确认申请期限届满前提醒"),
        GROUP,
        default=3,
        minimum=0,
        maximum=30,
        unit=_("天"),
        help=_("0 表示届满当天才提醒"),
        order=80,
    ),
    Tunable(
        "disputes.follow_up_warn_days",
        _("回访期限前提醒"),
        GROUP,
        default=1,
        minimum=0,
        maximum=30,
        unit=_("天"),
        order=90,
    ),
]
