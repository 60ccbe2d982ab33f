"""The default roles as every app's permissions.py declares them (org.permissions). Runs after
every app's migrations, so fresh and existing databases end with the same roles."""

from django.db import migrations

from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    dependencies = [
        ("areas", "0002_initial"),
        ("core", "0004_calendarday_notice"),
        ("disputes", "0001_initial"),
        ("matters", "0004_metrics_duration_index"),
        ("open311", "0001_initial"),
        ("org", "0002_default_roles"),
        ("risks", "0002_defaults"),
        ("targets", "0002_roles"),
    ]
    operations = [sync_migration_operation()]
