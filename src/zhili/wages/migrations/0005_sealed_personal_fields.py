"""Personal identifiers encrypted at rest (issue 18): the column widens for the sealed text, then
the existing values are sealed (core.privacy_crypto); backwards they are written plain again."""

from django.db import migrations

import zhili.core.fields
from zhili.core.privacy_crypto import migration_operation


class Migration(migrations.Migration):
    dependencies = [
        ("wages", "0004_minimum_wage_tiers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="worker",
            name="bank_account",
            field=zhili.core.fields.SealedCharField(
                blank=True, max_length=32, verbose_name="工资卡号"
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="id_number",
            field=zhili.core.fields.SealedCharField(
                max_length=18, unique=True, verbose_name="身份证号"
            ),
        ),
        migrations.AlterField(
            model_name="worker",
            name="phone",
            field=zhili.core.fields.SealedCharField(blank=True, max_length=20, verbose_name="电话"),
        ),
        migration_operation("wages", {"Worker": ["id_number", "phone", "bank_account"]}),
    ]
