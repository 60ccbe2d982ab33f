"""Dispute events on the core event model: the database refuses UPDATE and DELETE on them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zhili.core.events import AppendOnly


class Migration(migrations.Migration):

    dependencies = [
        ('disputes', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='disputeevent',
            options={'ordering': ['id'], 'verbose_name': '纠纷记录', 'verbose_name_plural': '纠纷记录'},
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='action',
            field=models.CharField(max_length=32, verbose_name='动作'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='actor_name',
            field=models.CharField(blank=True, max_length=150, verbose_name='操作人账号'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='at',
            field=models.DateTimeField(db_index=True, verbose_name='时间'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='data',
            field=models.JSONField(blank=True, default=dict, verbose_name='详情'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='dispute',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='disputes.dispute', verbose_name='矛盾纠纷'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='from_status',
            field=models.CharField(blank=True, max_length=16, verbose_name='原状态'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='note',
            field=models.TextField(blank=True, verbose_name='说明'),
        ),
        migrations.AlterField(
            model_name='disputeevent',
            name='to_status',
            field=models.CharField(blank=True, max_length=16, verbose_name='新状态'),
        ),
        AppendOnly("disputes_disputeevent"),
    ]
