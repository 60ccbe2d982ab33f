"""The database refuses UPDATE and DELETE on visit events; the default roles as
visits/permissions.py declares them (the 包片领导 role and the visits grants)."""

from django.db import migrations

from zhili.core.events import AppendOnly
from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial"), ("org", "0003_default_roles")]
    operations = [AppendOnly("visits_visitevent"), sync_migration_operation()]
