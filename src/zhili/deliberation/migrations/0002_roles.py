"""Events, steps, contributions and ledger entries are append-only; the default roles (the
village secretary's) as deliberation/permissions.py declares them; the assumed default cap of
一事一议 contributions (city-wide, every year: docs/deliberation.md), which the city edits."""

from decimal import Decimal

from django.db import migrations

from zhili.core.events import AppendOnly
from zhili.org.permissions import sync_migration_operation


def default_cap(apps, schema_editor):  # type: ignore[no-untyped-def]
    cap = apps.get_model("deliberation", "Cap")
    if not cap.objects.filter(area_path="", year=None).exists():
        cap.objects.create(
            area_path="",
            year=None,
            money=Decimal("20.00"),
            labour_days=Decimal("10.0"),
            note="假定的默认值（每人每年筹资不超过 20 元、筹劳不超过 10 个工日），请按市级文件修改",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0001_initial"),
        ("legal", "0002_roles"),
        ("org", "0003_default_roles"),
    ]
    operations = [
        AppendOnly("deliberation_deliberationevent"),
        AppendOnly("deliberation_projectevent"),
        AppendOnly("deliberation_step"),
        AppendOnly("deliberation_contribution"),
        AppendOnly("deliberation_ledgerentry"),
        sync_migration_operation(),
        migrations.RunPython(default_cap, migrations.RunPython.noop),
    ]
