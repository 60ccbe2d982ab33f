from django.db import migrations

# The default roles' matter permissions are in matters/permissions.py, installed by org's
# 0003_default_roles (org.permissions.sync_default_roles).


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhili.matters.catalogue import install_default

    install_default(apps.get_model("matters", "Category"))


class Migration(migrations.Migration):
    dependencies = [("matters", "0001_initial"), ("org", "0002_default_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
