from django.apps import AppConfig

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
        from django.db.models.signals import post_migrate

        from zhili.core.events import ensure_append_only

        # Every append-only table keeps its triggers whatever a migration rebuilt.
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="zhili-append-only")
