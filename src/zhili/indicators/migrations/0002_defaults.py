"""The default indicators (DOMAIN.md §9; the city edits and adds to them), the default survey
instrument, append-only revisions, and the default roles' indicator rights."""

from django.db import migrations

from zhili.core.events import AppendOnly
from zhili.org.permissions import sync_migration_operation

INDICATORS = [
    ("eight_crimes", "八类主要刑事案件", "起",
     ["杀人", "伤害", "强奸", "抢劫", "放火", "爆炸", "绑架", "劫持"],
     "公安机关立案的八类主要刑事案件起数（构成项清单可调整）"),
    ("petition_visits", "信访总人次", "人次", [], "来访接待登记的信访人次"),
    ("safety_accidents", "生产安全事故起数", "起", [], "应急管理部门统计的生产安全事故起数"),
    ("safety_deaths", "生产安全事故死亡人数", "人", [], "生产安全事故造成的死亡人数"),
]  # fmt: skip


def seed(apps, schema_editor):
    Indicator = apps.get_model("indicators", "Indicator")
    Instrument = apps.get_model("indicators", "SurveyInstrument")
    for seq, (code, name, unit, parts, desc) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code,
            defaults={"name": name, "unit_label": unit, "components": parts,
                      "description": desc, "seq": seq},
        )  # fmt: skip
    Instrument.objects.get_or_create(
        code="security",
        defaults={
            "name": "群众安全感调查",
            "question": "您觉得您所在地区的治安状况安全吗？",
            "scale": ["很安全", "安全", "基本安全", "不太安全", "不安全"],
            "positive": ["很安全", "安全", "基本安全"],
        },
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial"), ("org", "0003_default_roles")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        AppendOnly("indicators_indicatorrevision"),
        sync_migration_operation(),
    ]
