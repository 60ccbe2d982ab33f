"""Roles of target management: now declared in targets/permissions.py and installed by
org's 0003_default_roles (org.permissions.sync_default_roles)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("org", "0002_default_roles")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
