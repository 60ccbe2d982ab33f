from django.db import migrations

from zhili.core.events import AppendOnly


class Migration(migrations.Migration):
    """The database refuses UPDATE and DELETE on risk events, as it does on the audit."""

    dependencies = [("risks", "0003_riskevent_core_event")]
    operations = [AppendOnly("risks_riskevent")]
