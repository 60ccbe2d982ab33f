"""Chinese labels of the cockpit's audit actions and keys."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "cockpit.report_request": _("生成驾驶舱周报"),
        "camera.create": _("登记雪亮工程点位"),
        "camera.change": _("修改雪亮工程点位"),
    }
)
labels.register_audit_fields("cockpit.weeklyreport", {"start": _("起始日"), "end": _("截止日")})
labels.register_audit_fields(
    "cockpit.camerapoint",
    {"code": _("点位编号"), "status": _("状态"), "owner": _("权属单位")},
)
