from django.db import migrations

# Matter permissions added to the default roles (the city can change them afterwards).
ROLE_ADDITIONS = {
    "district_officer": ["matters.*"],
    "street_worker": [
        "matters.matter.view",
        "matters.matter.add",
        "matters.matter.accept",
        "matters.matter.triage",
        "matters.matter.dispatch",
        "matters.matter.verify",
        "matters.matter.close",
        "matters.matter.rate",
        "matters.matter.reopen",
        "matters.matter.merge",
        "matters.matter.suspend",
        "matters.matter.self_handle",
        "matters.matter.view_personal",
        "matters.category.view",
    ],
    "grid_worker": [
        "matters.matter.view",
        "matters.matter.add",
        "matters.matter.self_handle",
        "matters.category.view",
    ],
}
NEW_ROLES = [
    {
        "slug": "unit_handler",
        "name": "责任单位经办人",
        "description": "责任单位：签收、退单、处置反馈、申请延期本单位承办的诉求",
        "permissions": ["matters.category.view"],
    },
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhili.matters.catalogue import install_default

    install_default(apps.get_model("matters", "Category"))
    role = apps.get_model("org", "Role")
    for slug, perms in ROLE_ADDITIONS.items():
        r = role.objects.filter(slug=slug).first()
        if r is not None:
            r.permissions = sorted(set(r.permissions) | set(perms))
            r.save(update_fields=["permissions"])
    for spec in NEW_ROLES:
        role.objects.get_or_create(slug=spec["slug"], defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("matters", "0001_initial"), ("org", "0002_default_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
