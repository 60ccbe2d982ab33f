"""The database refuses UPDATE and DELETE on follow-up events; the default roles as
compounds/permissions.py declares them."""

from django.db import migrations

from zhili.core.events import AppendOnly
from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    dependencies = [
        ("compounds", "0001_initial"),
        ("org", "0003_default_roles"),
        ("visits", "0002_events_append_only_and_roles"),  # declares the 包片领导 role
    ]
    operations = [AppendOnly("compounds_followupevent"), sync_migration_operation()]
