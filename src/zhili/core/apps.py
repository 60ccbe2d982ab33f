from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

from zhili.core.navigation import NavItem


class CoreConfig(AppConfig):
    name = "zhili.core"
    label = "core"
    verbose_name = "核心"
    nav = [
        NavItem("审计", "audit", "core.AuditEvent", order=90),
        NavItem("节假日调整", "calendar", "core.CalendarDay", "change", "组织与权限", order=70),
    ]
    periodic_tasks = {"zhili.core.tasks.prune_task_results": 24 * 3600}

    def ready(self) -> None:
        # Every app's ``labels`` module registers the labels of what it records (audit actions,
        # keys of audit records); core's own are beside the code that records them.
        from zhili.core import audit_display, calendar, privacy  # noqa: F401

        autodiscover_modules("labels")
