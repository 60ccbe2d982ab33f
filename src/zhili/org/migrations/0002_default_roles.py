from django.db import migrations

# The default roles are installed by 0003_default_roles (org.permissions.sync_default_roles, from
# every app's permissions.py), after every app's migrations that once added to them.


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
