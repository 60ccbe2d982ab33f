"""Personal identifiers encrypted at rest (issue 18): the column widens for the sealed text, then
the existing values are sealed (core.privacy_crypto); backwards they are written plain again."""

from django.db import migrations

import zhili.core.fields
from zhili.core.privacy_crypto import migration_operation


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0010_rollup_triage_mode"),
    ]

    operations = [
        migrations.AlterField(
            model_name="matter",
            name="reporter_phone",
            field=zhili.core.fields.SealedCharField(
                blank=True, max_length=32, verbose_name="联系电话"
            ),
        ),
        migration_operation("matters", {"Matter": ["reporter_phone"]}),
    ]
