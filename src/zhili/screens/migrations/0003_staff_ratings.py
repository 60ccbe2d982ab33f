"""Staff of a service centre (a stable record per person, linkable to an account), duty shifts
on it, residents' ratings (append-only) and each centre's public rating code."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import zhili.screens.models
from zhili.core.events import AppendOnly


def fill(apps, schema_editor):
    """A rating code for each existing centre; a staff record for each name already on a duty
    roster (the shifts then point at it)."""
    Centre = apps.get_model("screens", "ServiceCentre")
    Shift = apps.get_model("screens", "DutyShift")
    Staff = apps.get_model("screens", "CentreStaff")
    used = set()
    for centre in Centre.objects.all():
        code = zhili.screens.models.new_rating_code()
        while code in used:
            code = zhili.screens.models.new_rating_code()
        used.add(code)
        centre.rating_code = code
        centre.save(update_fields=["rating_code"])
    for shift in Shift.objects.order_by("day", "id"):
        staff, _ = Staff.objects.get_or_create(
            centre_id=shift.centre_id, name=shift.person, defaults={"post": shift.post}
        )
        shift.staff_id = staff.pk
        shift.save(update_fields=["staff"])


class Migration(migrations.Migration):

    dependencies = [
        ('screens', '0002_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='servicecentre',
            name='rating_code',
            field=models.CharField(max_length=16, null=True, verbose_name='评价码'),
        ),
        migrations.CreateModel(
            name='CentreStaff',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=40, verbose_name='姓名')),
                ('post', models.CharField(blank=True, max_length=60, verbose_name='岗位')),
                ('active', models.BooleanField(default=True, verbose_name='在岗')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='staff', to='screens.servicecentre')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='平台账号')),
            ],
            options={
                'verbose_name': '服务人员',
                'verbose_name_plural': '服务人员',
                'ordering': ['centre_id', '-active', 'name'],
            },
        ),
        migrations.AddField(
            model_name='dutyshift',
            name='staff',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='shifts', to='screens.centrestaff', verbose_name='服务人员'),
        ),
        migrations.CreateModel(
            name='StaffRating',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('score', models.PositiveSmallIntegerField(choices=[(5, '非常满意'), (4, '满意'), (3, '基本满意'), (2, '不满意'), (1, '非常不满意')], verbose_name='评价')),
                ('comment', models.CharField(blank=True, max_length=200, verbose_name='意见建议')),
                ('at', models.DateTimeField(verbose_name='评价时间')),
                ('centre', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='screens.servicecentre')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='ratings', to='screens.centrestaff', verbose_name='服务人员')),
            ],
            options={
                'verbose_name': '服务评价',
                'verbose_name_plural': '服务评价',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='centrestaff',
            constraint=models.UniqueConstraint(fields=('centre', 'name'), name='screens_staff_name_once'),
        ),
        migrations.AddConstraint(
            model_name='centrestaff',
            constraint=models.UniqueConstraint(condition=models.Q(('user__isnull', False)), fields=('centre', 'user'), name='screens_staff_account_once'),
        ),
        migrations.AddIndex(
            model_name='staffrating',
            index=models.Index(fields=['staff', 'at'], name='screens_rating_staff_at'),
        ),
        migrations.AddIndex(
            model_name='staffrating',
            index=models.Index(fields=['centre', 'at'], name='screens_rating_centre_at'),
        ),
        migrations.AddConstraint(
            model_name='staffrating',
            constraint=models.CheckConstraint(condition=models.Q(('score__gte', 1), ('score__lte', 5)), name='screens_rating_score_range'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='servicecentre',
            name='rating_code',
            field=models.CharField(default=zhili.screens.models.new_rating_code, max_length=16, unique=True, verbose_name='评价码'),
        ),
        AppendOnly("screens_staffrating"),
    ]
