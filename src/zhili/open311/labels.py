"""Labels of what the Open311 services record in the audit trail (core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit(
    {
        "open311key.create": _("签发 Open311 接入密钥"),
        "open311key.revoke": _("吊销 Open311 接入密钥"),
        "open311.submit": _("经 Open311 提交诉求"),
    }
)
labels.register_audit_fields(
    "open311.open311submission",
    {"number": _("诉求编号"), "key": _("接入密钥"), "device_id": _("设备编号")},
)
