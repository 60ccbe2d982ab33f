"""Labels of what the legal services record in the audit trail outside the review workflow."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.legal.models import ServiceKind

labels.register_audit(
    {
        "legal.adviser.add": _("新增法律顾问"),
        "legal.coverage.add": _("指定村（社区）法律顾问"),
        "legal.duty.add": _("新增值班安排"),
        "legal.consultation.add": _("登记法律服务"),
        "legal.target.set": _("设置法律顾问服务目标"),
    }
)
labels.register_audit_fields("legal.coverage", {"adviser": _("法律顾问"), "area": _("村（社区）")})
labels.register_audit_fields(
    "legal.consultation",
    {"kind": _("服务类型"), "minutes": _("时长（分钟）"), "on": _("日期")},
    choices={"kind": dict(ServiceKind.choices)},
)
labels.register_audit_fields("legal.review", {"adviser": _("法律顾问")})
labels.register_audit_fields(
    "legal.target",
    {"year": _("年度"), "hours": _("服务时长（小时）"), "visits_per_month": _("每月到村次数")},
)
