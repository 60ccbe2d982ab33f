from django.db import migrations


def install_roles(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhili.org.permissions import DEFAULT_ROLES

    role = apps.get_model("org", "Role")
    for spec in DEFAULT_ROLES:
        role.objects.get_or_create(slug=spec["slug"], defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(install_roles, migrations.RunPython.noop)]
