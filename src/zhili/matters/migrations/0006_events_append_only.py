"""The database itself refuses to change or delete a matter's events (as it does the audit's)."""

from django.db import migrations

from zhili.core.events import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("matters", "0005_event_on_core")]

    operations = [AppendOnly("matters_matterevent")]
