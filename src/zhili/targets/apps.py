from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class TargetsConfig(AppConfig):
    name = "zhili.targets"
    label = "targets"
    verbose_name = _("目标管理（打表推进）")
    # Gated on the plan catalogue: every role taking part may view plans (a unit's reporter holds
    # only *_own rights on reports and scores, which the navigation's has_any does not see).
    nav = [
        NavItem(_("打表推进"), "targets:plans", "targets.Plan", group=_("目标管理"), order=30),
        NavItem(_("进度预警"), "targets:late", "targets.Plan", group=_("目标管理"), order=31),
        NavItem(
            _("待审核"),
            "targets:review_queue",
            "targets.Report",
            group=_("目标管理"),
            order=33,
            action="review",
        ),
        NavItem(
            _("考核排名"), "targets:ranking_latest", "targets.Plan", group=_("目标管理"), order=32
        ),
    ]
    # Milestone warnings, overdue flags and score recomputation once a day, run by `zhili worker`.
    periodic_tasks = {"zhili.targets.tasks.targets_warn": 24 * 3600}

    def ready(self) -> None:
        # The rules table registers the labels of every report event, state and audit action.
        from zhili.targets import workflow  # noqa: F401
