"""Chongqing's minimum wage by tier for every district and county (built by
``tools/wages_minimum_wage.py`` from the notice and the area tree; rows the city edited are
kept), the tier of each row, and the view right on the minimum-wage page for district and street
roles; how a complaint was linked to its project (by hand, or automatically)."""

from typing import Any

from django.db import migrations, models

from zhili.org.permissions import sync_migration_operation


def install(apps: Any, schema_editor: Any) -> None:
    from zhili.wages.defaults import install as install_defaults

    install_defaults(apps.get_model("wages", "WageRule"), apps.get_model("wages", "MinimumWage"))


class Migration(migrations.Migration):
    dependencies = [("wages", "0003_warning_candidate")]

    operations = [
        migrations.AlterModelOptions(
            name="minimumwage",
            options={"ordering": ["area_path", "-effective_from"], "verbose_name": "最低工资标准"},
        ),
        migrations.AddField(
            model_name="minimumwage",
            name="tier",
            field=models.CharField(blank=True, max_length=40, verbose_name="档次"),
        ),
        migrations.AddField(
            model_name="projectcomplaint",
            name="linked_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="关联时间"),
        ),
        migrations.AddField(
            model_name="projectcomplaint",
            name="matched_by",
            field=models.CharField(
                choices=[
                    ("manual", "人工关联"),
                    ("number", "诉求写明了项目编号"),
                    ("name", "诉求写明了项目名称（同一区县）"),
                    ("address", "诉求地址即项目地址（同一区县）"),
                    ("firm", "诉求写明了施工或建设单位（区县内该单位唯一在建项目）"),
                ],
                default="manual",
                max_length=8,
                verbose_name="关联方式",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
        sync_migration_operation(),
    ]
