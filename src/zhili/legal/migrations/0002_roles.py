"""The review events are append-only; the default roles (the legal adviser's) installed as
legal/permissions.py declares them."""

from django.db import migrations

from zhili.core.events import AppendOnly
from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    dependencies = [("legal", "0001_initial"), ("org", "0003_default_roles")]
    operations = [AppendOnly("legal_reviewevent"), sync_migration_operation()]
