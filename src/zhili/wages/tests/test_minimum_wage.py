"""The local monthly minimum wage is data: built from the notice's tiers for every district and
county, edited by the city's administrator on a page (audited), and what the below-minimum rule
uses."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path

import pytest

from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.testing.factories import area, user
from zhili.wages import services
from zhili.wages.models import MinimumWage
from zhili.wages.tests.helpers import attendance, findings, make_project, pay, roster

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[4]


def _tool():
    spec = importlib.util.spec_from_file_location("wmw", ROOT / "tools/wages_minimum_wage.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_the_committed_data_is_what_the_script_builds_and_covers_every_district():
    built = _tool().build()
    committed = json.loads((ROOT / "src/zhili/wages/data/minimum_wage.json").read_text("utf-8"))
    assert committed == built
    assert "2025-01-01" in built["source"] and "文号未核实" in built["source"]
    assert "渝府发" not in json.dumps(built, ensure_ascii=False)  # the number nobody could check
    from zhili.areas.models import Area, Level

    districts = set(
        Area.objects.filter(level=Level.DISTRICT, valid_to__isnull=True).values_list(
            "code", flat=True
        )
    )
    installed = set(MinimumWage.objects.values_list("area_code", flat=True))
    assert districts <= installed  # every current district and county has its tier
    for day, first, second in (("2022-04-01", 2100, 2000), ("2025-01-01", 2330, 2200)):
        tiers = dict(
            MinimumWage.objects.filter(effective_from=day).values_list("area_code", "monthly")
        )
        assert districts <= set(tiers), day  # each notice covers every district and county
        assert tiers["500103"] == first and tiers["500236"] == second  # 渝中区, 奉节县
        assert tiers["500199"] == first  # 两江新区 takes 江北/渝北's tier
        assert tiers["500000"] == second  # the city's default: the lower tier
    assert MinimumWage.objects.filter(source__contains="渝府发").count() == 0


def test_the_rows_in_force_on_a_day():
    from zhili.wages.rules import minimum_wages

    levels = dict(minimum_wages(dt.date(2024, 12, 31)))
    assert levels["500000/500103/"] == 2100
    levels = dict(minimum_wages(dt.date(2025, 1, 1)))
    assert levels["500000/500103/"] == 2330 and levels["500000/500236/"] == 2200


def test_the_city_admin_edits_the_minimum_and_the_rule_uses_it():
    from zhili.core.models import AuditEvent

    p = make_project()  # 渝中区: 2,330
    roster(p, 1)
    attendance(p, "2026-04", [1], days=22)
    pay(p, "2026-04", {1: "2050"})
    assert len(findings(p, "below_minimum")) == 1
    with pytest.raises(PermissionDenied):
        services.minimum_wage_set(
            actor=user("yuzhong"),
            area=area("500103"),
            monthly="2000",
            effective_from=dt.date(2026, 1, 1),
            source="x",
        )
    services.minimum_wage_set(
        actor=user("city_admin"),
        area=area("500103"),
        monthly="2000",
        effective_from=dt.date(2026, 1, 1),
        tier="测试档",
        source="测试文件",
    )
    assert findings(p, "below_minimum") == []  # April is judged against April's row
    # A row dated after the 1st of a month counts from the next month, never before its date.
    services.minimum_wage_set(
        actor=user("city_admin"),
        area=area("500103"),
        monthly="2400",
        effective_from=dt.date(2026, 5, 15),
        source="测试文件二",
    )
    assert findings(p, "below_minimum", today=dt.date(2026, 5, 10)) == []
    attendance(p, "2026-05", [1], days=22)
    pay(p, "2026-05", {1: "2050"})
    assert findings(p, "below_minimum", today=dt.date(2026, 5, 20)) == []  # May: 2,000
    attendance(p, "2026-06", [1], days=22)
    pay(p, "2026-06", {1: "2050"}, paid_on="2026-06-10")
    (f,) = findings(p, "below_minimum")  # June: 2,400; April and May stay at 2,000
    assert f.period == dt.date(2026, 6, 1) and f.evidence["minimum"] == "2400.00"
    # Correcting the same area and date: one row, audited before and after.
    services.minimum_wage_set(
        actor=user("city_admin"),
        area=area("500103"),
        monthly="2010",
        effective_from=dt.date(2026, 1, 1),
        source="测试文件（更正）",
    )
    assert MinimumWage.objects.filter(area_code="500103").count() == 4  # 2022, 2025 and two
    change = AuditEvent.objects.get(action="wages.minimum.change")
    assert change.before["monthly"] == "2000.00" and change.after["monthly"] == "2010.00"
    assert AuditEvent.objects.filter(action="wages.minimum.add").count() == 2


def test_bad_input_is_refused_without_writing():
    before = MinimumWage.objects.count()
    for kw in (
        {"area": area("500103003"), "monthly": "2000"},  # a street: by district only
        {"area": area("500103"), "monthly": "0"},
        {"area": area("500103"), "monthly": "abc"},
    ):
        with pytest.raises(ValidationFailed):
            services.minimum_wage_set(
                actor=user("city_admin"),
                effective_from=dt.date(2026, 1, 1),
                source="x",
                **kw,
            )
    assert MinimumWage.objects.count() == before


def _login(client, who):
    client.force_login(user(who))
    return client


def test_the_page_lists_for_officers_and_edits_for_the_city_admin(client):
    page = _login(client, "yuzhong").get("/wages/minimum-wage/")
    html = page.content.decode()
    assert page.status_code == 200 and "渝中区（500103）" in html and "2100.00" in html
    assert 'name="monthly"' not in html  # no form for the district
    assert client.post("/wages/minimum-wage/", {"area_code": "500103"}).status_code == 403
    c = _login(client, "city_admin")
    bad = c.post(
        "/wages/minimum-wage/",
        {"area_code": "999999", "monthly": "2000", "effective_from": "2026-01-01", "source": "x"},
    )
    assert bad.status_code == 404 and "不存在" in bad.content.decode()  # said in the form
    invalid = c.post("/wages/minimum-wage/", {"area_code": "500103", "monthly": "两千"})
    assert invalid.status_code == 422 and "输入一个数字" in invalid.content.decode()
    ok = c.post(
        "/wages/minimum-wage/",
        {
            "area_code": "500103",
            "monthly": "2222",
            "effective_from": "2026-03-01",
            "tier": "第一档",
            "source": "测试通知",
        },
    )
    assert ok.status_code == 302
    html = c.get("/wages/minimum-wage/").content.decode()
    assert "2222.00" in html and "新增最低工资标准" in html  # the row and its audit record


def test_migration_0006_adds_2025_and_drops_the_unchecked_number_from_untouched_rows():
    import importlib

    from django.apps import apps

    mig = importlib.import_module("zhili.wages.migrations.0006_minimum_wage_2025")
    MinimumWage.objects.filter(effective_from="2025-01-01").delete()  # a database before 0006
    MinimumWage.objects.filter(effective_from="2022-04-01").update(source=mig.UNCHECKED_2022)
    MinimumWage.objects.filter(area_code="500103").update(source="市人社局更正")  # edited: kept
    mig.install(apps, None)
    assert MinimumWage.objects.filter(effective_from="2025-01-01").count() == 40
    assert MinimumWage.objects.filter(source=mig.UNCHECKED_2022).count() == 0
    assert MinimumWage.objects.get(area_code="500103", effective_from="2022-04-01").source == (
        "市人社局更正"
    )
