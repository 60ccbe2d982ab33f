from django.db import migrations

POLICIES = [  # level, handle days, review days, escalate (configurable afterwards)
    ("red", 3, 7, True),
    ("orange", 7, 15, True),
    ("yellow", 15, 30, False),
    ("blue", 30, 90, False),
]
ROLE_ADDITIONS = {
    "district_officer": ["risks.*", "disputes.*"],
    "street_worker": ["risks.risk.view", "risks.risk.add", "risks.risk.change", "risks.risk.assess", "risks.risk.close",
                      "risks.riskcandidate.view", "risks.riskcandidate.change",
                      "disputes.dispute.view", "disputes.dispute.add", "disputes.dispute.change",
                      "disputes.dispute.mediate"],
    "grid_worker": ["risks.risk.view", "disputes.dispute.view"],
}
NEW_ROLES = [
    {"slug": "mediator", "name": "人民调解员", "description": "调解委员会调解员：调解指派给本人的纠纷",
     "permissions": ["disputes.dispute.view", "disputes.dispute.mediate"]},
]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from zhili.risks.services import matrix_cells_5x5

    matrix = apps.get_model("risks", "RiskMatrix")
    if not matrix.objects.exists():
        matrix.objects.create(
            name="默认 5×5 矩阵（可能性 × 影响程度）", cells=matrix_cells_5x5(), is_default=True,
            likelihood_labels=["极低", "低", "中", "高", "极高"],
            impact_labels=["轻微", "较小", "一般", "较大", "重大"],
        )
    policy = apps.get_model("risks", "LevelPolicy")
    for level, handle, review, escalate in POLICIES:
        policy.objects.get_or_create(level=level, defaults={"handle_days": handle, "review_days": review,
                                                            "escalate": escalate})
    role = apps.get_model("org", "Role")
    for slug, perms in ROLE_ADDITIONS.items():
        r = role.objects.filter(slug=slug).first()
        if r is not None:
            r.permissions = sorted(set(r.permissions) | set(perms))
            r.save(update_fields=["permissions"])
    for spec in NEW_ROLES:
        role.objects.get_or_create(slug=spec["slug"], defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial"), ("org", "0002_default_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
