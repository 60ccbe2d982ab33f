"""Labels of the keys the disputes workflow's audit records hold (its actions are labelled by
its rules table, core.labels)."""

from django.utils.translation import gettext_lazy as _

from zhili.core import labels

labels.register_audit_fields("disputes.dispute", {"session": _("调解次数")})
