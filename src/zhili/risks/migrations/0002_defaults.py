from django.db import migrations

POLICIES = [  # level, handle days, review days, escalate (configurable afterwards)
    ("red", 3, 7, True),
    ("orange", 7, 15, True),
    ("yellow", 15, 30, False),
    ("blue", 30, 90, False),
]
# The default roles' risk and dispute permissions are in risks/ and disputes/permissions.py,
# installed by org's 0003_default_roles (org.permissions.sync_default_roles).


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


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial"), ("org", "0002_default_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
