from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "screen.centre_create": _("新增便民服务中心"),
        "screen.device_create": _("新增公示屏设备"),
        "screen.device_revoke": _("停用公示屏设备"),
        "screen.notice_create": _("发布公告"),
        "screen.notice_withdraw": _("撤下公告"),
        "screen.duty_add": _("登记值班"),
        "screen.staff_add": _("登记服务人员"),
        "screen.staff_active": _("服务人员在岗状态"),
        "screen.staff_rate": _("群众评价服务人员"),
    }
)
labels.register_audit_fields(
    "screens.screendevice", {"name": _("设备名称"), "token_prefix": _("令牌前缀")}
)
labels.register_audit_fields("screens.notice", {"title": _("标题"), "published": _("已发布")})
labels.register_audit_fields("screens.dutyshift", {"day": _("日期"), "person": _("值班人员")})
labels.register_audit_fields(
    "screens.servicecentre", {"name": _("名称"), "complaint_line": _("监督投诉电话")}
)
labels.register_audit_fields(
    "screens.centrestaff",
    {"name": _("姓名"), "post": _("岗位"), "user": _("平台账号"), "active": _("在岗")},
)
labels.register_audit_fields("screens.staffrating", {"staff": _("服务人员"), "score": _("评价")})
