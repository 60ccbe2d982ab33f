from django.db import migrations

from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    """The default roles' cockpit rights (cockpit/permissions.py)."""

    dependencies = [("cockpit", "0001_initial"), ("org", "0003_default_roles")]
    operations = [sync_migration_operation()]
