"""Personal identifiers encrypted at rest (issue 18): the column widens for the sealed text, then
the existing values are sealed (core.privacy_crypto); backwards they are written plain again."""

from django.db import migrations

import zhili.core.fields
from zhili.core.privacy_crypto import migration_operation


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_events_append_only_and_roles"),
    ]

    operations = [
        migrations.AlterField(
            model_name="resident",
            name="phone",
            field=zhili.core.fields.SealedCharField(blank=True, max_length=32, verbose_name="电话"),
        ),
        migration_operation("visits", {"Resident": ["phone"]}),
    ]
