"""The warning rules and Chongqing's minimum wage as shipped; the warning events are append-only;
the default roles gain the wages permissions."""

from typing import Any

from django.db import migrations

from zhili.core.events import AppendOnly
from zhili.org.permissions import sync_migration_operation


def install(apps: Any, schema_editor: Any) -> None:
    from zhili.wages.defaults import install as install_defaults

    install_defaults(apps.get_model("wages", "WageRule"), apps.get_model("wages", "MinimumWage"))


class Migration(migrations.Migration):
    dependencies = [("wages", "0001_initial"), ("org", "0003_default_roles")]
    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
        AppendOnly("wages_warningevent"),
        sync_migration_operation(),
    ]
