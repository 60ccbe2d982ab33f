"""Default grants of the targets permissions, and the roles targets introduces (merged by
``org.permissions.default_roles``; ``city_admin`` holds every permission)."""

from django.utils.translation import gettext_lazy

ROLES = {
    "target_office": (
        gettext_lazy("市委政法委考核办"),
        gettext_lazy(
            "目标管理（打表推进）：导入考核方案、分解任务、审核进展、认定负面清单、设置评分规则"
        ),
    ),
    "target_reporter": (
        gettext_lazy("责任单位填报员"),
        gettext_lazy("市级责任单位：查看本单位承担的目标任务，按节点报送进展和佐证材料"),
    ),
}

DEFAULT_GRANTS = {
    # Everything but reporting: the office reviews what units report, it does not report for them.
    "target_office": [
        "targets.plan.*",
        "targets.task.*",
        "targets.assignment.*",
        "targets.report.view",
        "targets.report.review",
        "targets.negativeitem.*",
        "targets.incident.*",
        "targets.score.*",
    ],
    "target_reporter": [
        "targets.plan.view",
        "targets.task.view",
        "targets.negativeitem.view",
        "targets.assignment.view_own",
        "targets.report.view_own",
        "targets.report.submit_own",
        "targets.incident.view_own",
        "targets.score.view_own",
    ],
    "district_officer": ["targets.*"],
    "street_worker": [
        "targets.plan.view",
        "targets.task.view",
        "targets.negativeitem.view",
        "targets.assignment.view",
        "targets.report.view",
        "targets.report.submit",
    ],
}
