"""The mediator role sees the disputes assigned to it, not every dispute of its area.

The default "mediator" role held ``disputes.dispute.view`` and
``disputes.dispute.mediate``. ``view`` over the street showed the mediator every dispute there;
``mediate`` alone now means "mediate the disputes assigned to me" (``DisputeQuerySet.visible_to``
and the rules table in ``disputes/workflow.py``), so the role keeps only ``mediate``. Roles are data
the city may change afterwards; this only corrects the default.
"""

from django.db import migrations

from zhili.org.permissions import sync_migration_operation


class Migration(migrations.Migration):
    dependencies = [("disputes", "0002_event_kernel"), ("org", "0003_default_roles")]
    # The roles as the permissions.py files now declare them (mediator: ``mediate`` only).
    operations = [sync_migration_operation()]
