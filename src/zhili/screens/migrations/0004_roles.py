from django.db import migrations

from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    """The 便民服务中心负责人 role and the staff and rating rights (screens/permissions.py)."""

    dependencies = [("screens", "0003_staff_ratings"), ("org", "0003_default_roles")]
    operations = [sync_migration_operation()]
