from django.apps import AppConfig

from zhili.core.navigation import NavItem


class CoreConfig(AppConfig):
    name = "zhili.core"
    label = "core"
    verbose_name = "核心"
    nav = [NavItem("审计", "audit", "core.AuditEvent", order=90)]
