"""A red warning proposes a risk candidate instead of registering the risk (issue 14): warnings
point at their candidate. Warnings that had registered a risk keep it, through a candidate marked
registered with that risk."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def keep_registered(apps: Any, schema_editor: Any) -> None:
    Warning = apps.get_model("wages", "Warning")
    RiskCandidate = apps.get_model("risks", "RiskCandidate")
    made: dict[int, Any] = {}
    for w in Warning.objects.filter(risk__isnull=False).select_related("risk", "project"):
        cand = made.get(w.risk_id)
        if cand is None:
            cand = RiskCandidate.objects.create(
                key=f"wage:{w.project_id}:{w.pk}",
                kind="wage",
                area_id=w.risk.area_id,
                area_path=w.risk.area_path,
                title=w.risk.title[:200],
                evidence={"summary": str((w.evidence or {}).get("summary", ""))},
                status="registered",
                risk_id=w.risk_id,
            )
            made[w.risk_id] = cand
        w.candidate = cand
        w.save(update_fields=["candidate"])


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0006_candidate_kind_wage"),
        ("wages", "0002_defaults"),
    ]

    operations = [
        migrations.AddField(
            model_name="warning",
            name="candidate",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="risks.riskcandidate",
                verbose_name="风险线索",
            ),
        ),
        migrations.RunPython(keep_registered, migrations.RunPython.noop),
        migrations.RemoveField(model_name="warning", name="risk"),
    ]
