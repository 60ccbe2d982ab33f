"""The points bank's default roles and grants (points/permissions.py), installed as data."""

from django.db import migrations

from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial"), ("org", "0003_default_roles")]
    operations = [sync_migration_operation()]
