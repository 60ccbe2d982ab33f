"""Progress records on the kernel's event model (``core.events.Event``): ``text`` becomes ``note``
(renamed, so every record keeps its words), ``data`` is added, ``at`` is set by the workflow rather
than on insert, and the database refuses UPDATE and DELETE on the table, as it does for the audit."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhili.core.events import AppendOnly


class Migration(migrations.Migration):
    dependencies = [
        ("targets", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("reportevent", "text", "note"),
        migrations.AddField(
            model_name="reportevent",
            name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="详情"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="action",
            field=models.CharField(max_length=32, verbose_name="动作"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="actor_name",
            field=models.CharField(blank=True, max_length=150, verbose_name="操作人账号"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="at",
            field=models.DateTimeField(db_index=True, verbose_name="时间"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="from_status",
            field=models.CharField(blank=True, max_length=16, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="note",
            field=models.TextField(blank=True, verbose_name="说明"),
        ),
        migrations.AlterField(
            model_name="reportevent",
            name="to_status",
            field=models.CharField(blank=True, max_length=16, verbose_name="新状态"),
        ),
        AppendOnly("targets_reportevent"),
    ]
