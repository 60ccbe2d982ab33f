from django.db import migrations

from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    """The default roles may view the 平安创建 scoring sheets (indicators/permissions.py)."""

    dependencies = [("indicators", "0003_creation_sheet"), ("org", "0003_default_roles")]
    operations = [sync_migration_operation()]
