"""Labels of what the org services record in the audit trail (core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "unit.create": _("新增单位"),
        "unit.update": _("修改单位"),
        "user.create": _("新增用户"),
        "user.update": _("修改用户"),
        "user.password": _("修改密码"),
        "grant.create": _("授予角色"),
        "grant.revoke": _("撤销授权"),
        "role.update": _("修改角色"),
        "liaison.create": _("新增包片联系"),
        "liaison.delete": _("删除包片联系"),
        "token.create": _("创建接口令牌"),
        "token.revoke": _("吊销接口令牌"),
        "otp.enrol": _("启用双因素认证"),
        "otp.reset": _("重置双因素认证"),
        "otp.recovery_used": _("使用恢复码登录"),
    }
)
labels.register_audit_fields("org.user", {"tokens_revoked": _("随之吊销的接口令牌数")})
labels.register_audit_fields("org.apitoken", {"user": _("用户"), "prefix": _("令牌前缀")})
