"""Roles of target management: the city office, the units' reporters; districts and streets join in.

Roles are data the city may change afterwards; this only installs the defaults.
"""

from django.db import migrations

OFFICE = {
    "slug": "target_office",
    "name": "市委政法委考核办",
    "description": "目标管理（打表推进）：导入考核方案、分解任务、审核进展、认定负面清单、设置评分规则",
    # Everything but reporting: the office reviews what units report, it does not report for them.
    "permissions": [
        "targets.plan.*",
        "targets.task.*",
        "targets.assignment.*",
        "targets.report.view",
        "targets.report.review",
        "targets.negativeitem.*",
        "targets.incident.*",
        "targets.score.*",
        "org.unit.view",
        "org.user.view",
        "areas.area.view",
        "core.auditevent.view",
    ],
}
REPORTER = {
    "slug": "target_reporter",
    "name": "责任单位填报员",
    "description": "市级责任单位：查看本单位承担的目标任务，按节点报送进展和佐证材料",
    "permissions": [
        "targets.plan.view",
        "targets.task.view",
        "targets.negativeitem.view",
        "targets.assignment.view_own",
        "targets.report.view_own",
        "targets.report.submit_own",
        "targets.incident.view_own",
        "targets.score.view_own",
    ],
}
ADD = {
    "district_officer": ["targets.*"],
    "street_worker": [
        "targets.plan.view",
        "targets.task.view",
        "targets.negativeitem.view",
        "targets.assignment.view",
        "targets.report.view",
        "targets.report.submit",
    ],
}


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = apps.get_model("org", "Role")
    for spec in (OFFICE, REPORTER):
        role.objects.get_or_create(slug=spec["slug"], defaults=spec)
    for slug, perms in ADD.items():
        found = role.objects.filter(slug=slug).first()
        if found is not None:
            found.permissions = sorted(set(found.permissions) | set(perms))
            found.save(update_fields=["permissions"])


def uninstall(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = apps.get_model("org", "Role")
    grant = apps.get_model("org", "RoleGrant")
    for slug in (OFFICE["slug"], REPORTER["slug"]):
        if not grant.objects.filter(role__slug=slug).exists():
            role.objects.filter(slug=slug).delete()
    for slug, perms in ADD.items():
        found = role.objects.filter(slug=slug).first()
        if found is not None:
            found.permissions = [p for p in found.permissions if p not in perms]
            found.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial"), ("org", "0002_default_roles")]
    operations = [migrations.RunPython(install, uninstall)]
