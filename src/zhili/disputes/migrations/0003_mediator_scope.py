"""The mediator role sees the disputes assigned to it, not every dispute of its area.

The default "mediator" role (risks 0002) held ``disputes.dispute.view`` and
``disputes.dispute.mediate``. ``view`` over the street showed the mediator every dispute there;
``mediate`` alone now means "mediate the disputes assigned to me" (``DisputeQuerySet.visible_to``
and the rules table in ``disputes/workflow.py``), so the role keeps only ``mediate``. Roles are data
the city may change afterwards; this only corrects the default.
"""

from django.db import migrations

SLUG = "mediator"
REMOVED = "disputes.dispute.view"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = apps.get_model("org", "Role").objects.filter(slug=SLUG).first()
    if role is not None and REMOVED in role.permissions:
        role.permissions = [p for p in role.permissions if p != REMOVED]
        role.save(update_fields=["permissions"])


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    role = apps.get_model("org", "Role").objects.filter(slug=SLUG).first()
    if role is not None and REMOVED not in role.permissions:
        role.permissions = sorted({*role.permissions, REMOVED})
        role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("disputes", "0002_event_kernel"), ("risks", "0002_defaults")]
    operations = [migrations.RunPython(forwards, backwards)]
