from django.apps import AppConfig
from django.db.models import fields
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.core.navigation import NavItem


class CoreConfig(AppConfig):
    name = "zhili.core"
    label = "core"
    verbose_name = gettext_lazy("核心")
    nav = [
        NavItem(gettext_lazy("审计"), "audit", "core.AuditEvent", order=90),
        NavItem(
            gettext_lazy("节假日调整"),
            "calendar",
            "core.CalendarDay",
            "change",
            gettext_lazy("组织与权限"),
            order=70,
        ),
        NavItem(
            gettext_lazy("业务参数"),
            "tunables",
            "core.TunableValue",
            "change",
            gettext_lazy("组织与权限"),
            order=71,
        ),
    ]
    periodic_tasks = {"zhili.core.tasks.prune_task_results": 24 * 3600}

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from zhili.core import checks  # noqa: F401  (registers the deploy checks)
        from zhili.core.events import ensure_append_only

        # Every append-only table keeps its triggers whatever a migration rebuilt.
        post_migrate.connect(ensure_append_only, sender=self, dispatch_uid="zhili-append-only")

        # The empty choice of every select (model choice fields, fields with choices, the admin):
        # Django's "- Select an option -" has no zh-hans translation. Django 6.1 reads this when
        # a form field is built, after the apps are ready (forms are imported by the URL conf).
        fields.BLANK_CHOICE_LABEL = _("请选择…")
        # Every app's ``labels`` module registers the labels of what it records (audit actions,
        # keys of audit records); core's own are beside the code that records them.
        from zhili.core import audit_display, calendar, privacy, tunables  # noqa: F401

        autodiscover_modules("labels")
        autodiscover_modules("todo")
        autodiscover_modules("pickers")  # people kinds of core.pickers (risks, disputes)
