"""Hot-spot candidates keyed a repeated reporter on the raw phone ("person:<phone>:<month>"):
rewrite those keys with the keyed hash the scan now uses (``risks.hotspots.phone_key``)."""

from django.db import migrations
from django.utils.crypto import salted_hmac


def hash_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    RiskCandidate = apps.get_model("risks", "RiskCandidate")
    for cand in RiskCandidate.objects.filter(kind="person", key__startswith="person:"):
        parts = cand.key.split(":")
        if len(parts) != 3 or len(parts[1]) == 32:
            continue
        digest = salted_hmac(
            "zhili.risks.hotspots.phone", parts[1], algorithm="sha1"
        ).hexdigest()[:32]
        cand.key = f"person:{digest}:{parts[2]}"
        cand.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("risks", "0004_riskevent_append_only")]
    operations = [migrations.RunPython(hash_keys, migrations.RunPython.noop)]
