"""Chongqing's minimum wage from 2025-01-01 (第一档 2330, 第二档 2200 元) for every district and
county, as ``tools/wages_minimum_wage.py`` builds it (rows the city entered or edited are kept);
the 2022 rows no longer cite a document number nobody could check."""

from typing import Any

from django.db import migrations

UNCHECKED_2022 = (
    "重庆市人民政府关于调整全市最低工资标准的通知（渝府发〔2022〕21号），自 2022-04-01 起执行："
    "第一档 2100.00 元；第二档 2000.00 元"
)


def install(apps: Any, schema_editor: Any) -> None:
    from zhili.wages.defaults import install as install_defaults
    from zhili.wages.defaults import minimum_wage_rows

    minimum = apps.get_model("wages", "MinimumWage")
    install_defaults(apps.get_model("wages", "WageRule"), minimum)
    for row in minimum_wage_rows():
        minimum.objects.filter(
            area_path=row["area_path"],
            effective_from=row["effective_from"],
            source=UNCHECKED_2022,
        ).update(source=row["source"])


class Migration(migrations.Migration):
    dependencies = [("wages", "0005_sealed_personal_fields")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
