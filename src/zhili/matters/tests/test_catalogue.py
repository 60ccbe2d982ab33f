"""The category catalogue: pages to list, create and edit categories and routing rules, the city-level
right to change it, and the xlsx round trip (every bad row reported, nothing written)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.core.models import AuditEvent
from zhili.matters import catalogue
from zhili.matters import services as s
from zhili.matters.catalogue_xlsx import (
    CATEGORY_COLUMNS,
    RULE_COLUMNS,
    ImportErrors,
    catalogue_export,
    catalogue_import,
)
from zhili.matters.models import Category, RoutingRule
from zhili.matters.routing import rule_unit
from zhili.org.models import Unit, User

GRID = "500103003013001"  # a demo grid in 解放碑街道


def _form(category: Category | None = None, **changes: Any) -> dict[str, Any]:
    data = {
        "code": "",
        "name": "",
        "parent": "",
        "topic": "environment",
        "handling_mode": "timed",
        "limit_dispatch": "",
        "limit_sign": "",
        "limit_contact": "",
        "limit_handle": "",
        "hint": "",
        "questions": "",
        "is_active": "on",
        "order": "0",
    }
    if category is not None:
        from zhili.matters.catalogue_views import CategoryForm

        data.update({k: v for k, v in CategoryForm.initial_for(category).items()})
        for flag in ("allow_anonymous", "is_active"):
            data[flag] = "on" if data[flag] else ""
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False and v != ""}


# Pages -----------------------------------------------------------------------------------------


def test_catalogue_page_lists_groups_and_categories(login: Any) -> None:
    page = login("jiefangbei").get("/matters/categories/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "平安稳定" in html and "安全隐患" in html and "急事特事特办" in html
    assert "新建大类" not in html  # a street worker may look, not change


def test_catalogue_page_refuses_users_without_the_right(client: Any, area: Any) -> None:
    nobody = User.objects.create(username="nobody", area=area("500103"))
    client.force_login(nobody)
    assert client.get("/matters/categories/").status_code == 403


def test_city_admin_creates_a_category_with_its_own_time_limits(
    login: Any, users: Any, area: Any
) -> None:
    client = login("city_admin")
    page = client.post(
        "/matters/categories/new/",
        _form(
            code="manhole",
            name="井盖缺失",
            parent="city",
            handling_mode="urgent",
            limit_handle="2wd",
            limit_sign="30分钟",
        ),
    )
    assert page.status_code == 200
    assert "签收时限“30分钟”无效" in page.content.decode()
    page = client.post(
        "/matters/categories/new/",
        _form(
            code="manhole",
            name="井盖缺失",
            parent="city",
            handling_mode="urgent",
            limit_handle="2wd",
            limit_sign="1.5h",
            allow_anonymous="on",
        ),
    )
    assert page.status_code == 302
    c = Category.objects.get(code="manhole")
    assert c.parent.code == "city" and c.allow_anonymous
    assert c.limit("handle") == (2.0, "wd")  # overridden
    assert c.limit("sign") == (1.5, "h")  # overridden
    assert c.limit("dispatch") == (1.0, "h")  # the urgent mode's default
    assert AuditEvent.objects.filter(action="category.create", object_id=str(c.pk)).exists()
    detail = client.get("/matters/categories/manhole/").content.decode()
    assert "2 个工作日" in detail and "1.5 小时" in detail
    # Residents can choose it at once, and its limits drive the deadlines.
    listed = client.get("/api/v1/categories").json()
    assert any(x["code"] == "manhole" and x["limits"]["handle"] == [2.0, "wd"] for x in listed)
    m = s.matter_create(
        actor=users["jiefangbei"],
        category=c,
        channel="staff",
        description="人行道井盖丢失",
        area=area(GRID),
    )
    assert m.handling_mode == "urgent" and m.dispatch_due is not None


def test_district_officer_cannot_change_the_city_catalogue(login: Any, users: Any) -> None:
    client = login("yuzhong")  # holds matters.* over 渝中区 only
    assert client.get("/matters/categories/streetlight/").status_code == 200
    assert client.get("/matters/categories/new/").status_code == 403
    posted = client.post("/matters/categories/streetlight/", _form(name="改名"))
    assert posted.status_code == 403
    assert Category.objects.get(code="streetlight").name == "路灯"
    with pytest.raises(PermissionDenied):
        catalogue.category_create(
            actor=users["yuzhong"], code="x1", name="X", topic="safety", parent=None
        )


def test_edit_keeps_the_code_and_checks_questions(login: Any) -> None:
    client = login("city_admin")
    noise = Category.objects.get(code="noise")
    bad = client.post(
        "/matters/categories/noise/", _form(noise, questions='[{"key": "t", "label": "时段"}]')
    )
    assert "第 1 个问题的类型须为" in bad.content.decode()
    broken = client.post("/matters/categories/noise/", _form(noise, questions="[{"))
    assert "不是有效的 JSON" in broken.content.decode()
    ok = client.post(
        "/matters/categories/noise/",
        _form(noise, code="renamed", name="噪声污染", handling_mode="immediate", limit_handle=""),
    )
    assert ok.status_code == 302
    noise.refresh_from_db()
    assert noise.code == "noise" and noise.name == "噪声污染"
    assert noise.limit("handle") == (3.0, "wd")  # 小事马上办 default
    event = AuditEvent.objects.filter(action="category.update", object_id=str(noise.pk)).last()
    assert event is not None and event.after["name"] == "噪声污染"


def test_two_levels_only(users: Any) -> None:
    admin = users["city_admin"]
    street = Category.objects.get(code="streetlight")
    with pytest.raises(ValidationFailed, match="只能选择大类"):
        catalogue.category_create(
            actor=admin, code="bulb", name="灯泡", topic="environment", parent=street
        )
    group = Category.objects.get(code="city")
    with pytest.raises(ValidationFailed, match="下还有分类"):
        catalogue.category_update(
            actor=admin,
            category=group,
            name=group.name,
            topic=group.topic,
            parent=Category.objects.get(code="safety"),
        )
    with pytest.raises(ValidationFailed, match="已被使用"):
        catalogue.category_create(actor=admin, code="noise", name="重复", topic="safety")
    with pytest.raises(ValidationFailed, match="保留字"):
        catalogue.category_create(actor=admin, code="rules", name="保留", topic="safety")


def test_deactivating_a_group_deactivates_its_categories(users: Any) -> None:
    admin = users["city_admin"]
    group = Category.objects.get(code="development")
    catalogue.category_update(
        actor=admin, category=group, name=group.name, topic=group.topic, is_active=False
    )
    assert not Category.objects.filter(parent=group, is_active=True).exists()
    with pytest.raises(ValidationFailed, match="已停用"):
        market = Category.objects.get(code="market-order")
        catalogue.category_update(
            actor=admin, category=market, name=market.name, topic=market.topic, parent=group
        )


def test_routing_rules_page_sets_and_deletes_rules(login: Any, area: Any) -> None:
    client = login("city_admin")
    page = client.post(
        "/matters/categories/rules/",
        {"category": "streetlight", "area_code": "500103", "unit_name": "渝中区住房城乡建委"},
    )
    assert page.status_code == 302
    rule = RoutingRule.objects.get(category__code="streetlight", area__code="500103")
    assert rule.unit.name == "渝中区住房城乡建委"
    light = Category.objects.get(code="streetlight")
    assert rule_unit(light, area(GRID)).name == "渝中区住房城乡建委"
    # A deeper rule wins for its own subtree.
    client.post(
        "/matters/categories/rules/",
        {"category": "streetlight", "area_code": "500103003", "unit_name": "解放碑街道综治中心"},
    )
    assert rule_unit(light, area(GRID)).name == "解放碑街道综治中心"
    assert rule_unit(light, area("500103001")).name == "渝中区住房城乡建委"
    listed = client.get("/matters/categories/rules/?category=streetlight").content.decode()
    assert "解放碑街道综治中心" in listed
    unknown = client.post(
        "/matters/categories/rules/",
        {"category": "streetlight", "area_code": "500103", "unit_name": "不存在的单位"},
    )
    assert "找不到启用中的单位“不存在的单位”" in unknown.content.decode()
    assert client.post(f"/matters/categories/rules/{rule.pk}/delete/").status_code == 302
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert AuditEvent.objects.filter(action="routing_rule.delete").exists()


def test_street_worker_sees_rules_but_cannot_change_them(login: Any) -> None:
    client = login("jiefangbei")
    assert client.get("/matters/categories/rules/").status_code == 200
    refused = client.post(
        "/matters/categories/rules/",
        {"category": "streetlight", "area_code": "500103003", "unit_name": "解放碑派出所"},
    )
    assert refused.status_code == 403
    assert not RoutingRule.objects.exists()


# xlsx ------------------------------------------------------------------------------------------


def _sheet(data: bytes, name: str) -> list[list[Any]]:
    wb = load_workbook(io.BytesIO(data))
    return [list(r) for r in wb[name].iter_rows(values_only=True)]


def _workbook(categories: list[list[Any]], rules: list[list[Any]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "分类"
    ws.append([label for _, label in CATEGORY_COLUMNS])
    for row in categories:
        ws.append(row)
    rs = wb.create_sheet("派单规则")
    rs.append([label for _, label in RULE_COLUMNS])
    for row in rules:
        rs.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_export_then_import_changes_nothing(users: Any, area: Any) -> None:
    admin = users["city_admin"]
    catalogue.routing_rule_set(
        actor=admin,
        category=Category.objects.get(code="streetlight"),
        area=area("500103"),
        unit=Unit.objects.get(name="渝中区住房城乡建委"),
    )
    data = catalogue_export(admin)
    rows = _sheet(data, "分类")
    assert rows[0][:3] == ["代码", "名称", "所属大类代码"]
    hazard = next(r for r in rows if r[0] == "safety-hazard")
    assert hazard[3] == "平安稳定" and hazard[4] == "急事特事特办"
    assert "请立即拨打 110、119 或 120" in hazard[10]
    assert _sheet(data, "派单规则")[1][:3] == ["streetlight", "500103", "渝中区住房城乡建委"]
    before = AuditEvent.objects.count()
    summary = catalogue_import(actor=admin, data=data, filename="catalogue.xlsx")
    assert summary.created == [] and summary.updated == [] and summary.rules == 0
    assert AuditEvent.objects.count() == before + 1  # only the import itself


def test_import_upserts_by_code(users: Any) -> None:
    admin = users["city_admin"]
    data = _workbook(
        [
            ["water", "水务", "", "发展环境", "", "", "", "", "", "", "", "", "是", 90],
            [
                "pipe-burst",
                "爆管",
                "water",
                "",
                "急事特事特办",
                "",
                "",
                "",
                "6h",
                "",
                "",
                "是",
                "是",
                91,
            ],
            [
                "noise",
                "噪声",
                "city",
                "发展环境",
                "小事马上办",
                "",
                "",
                "",
                "5wd",
                "夜间请写明时段",
                "",
                "是",
                "是",
                5,
            ],
        ],
        [["pipe-burst", "500103", "渝中区住房城乡建委", "", ""]],
    )
    summary = catalogue_import(actor=admin, data=data, filename="目录.xlsx")
    assert summary.created == ["water", "pipe-burst"] and summary.updated == ["noise"]
    burst = Category.objects.get(code="pipe-burst")
    assert burst.parent.code == "water" and burst.topic == "environment"  # from its group
    assert burst.limit("handle") == (6.0, "h") and burst.allow_anonymous
    noise = Category.objects.get(code="noise")
    assert noise.name == "噪声" and noise.handling_mode == "immediate"
    assert noise.limit("handle") == (5.0, "wd") and noise.hint == "夜间请写明时段"
    assert noise.questions == []  # the cell was empty
    assert RoutingRule.objects.get(category=burst).unit.name == "渝中区住房城乡建委"


def test_import_reports_every_bad_row_and_writes_nothing(login: Any, users: Any) -> None:
    data = _workbook(
        [
            ["ok-one", "好的一行", "city", "", "难事限时办", "", "", "", "", "", "", "否", "是", 1],
            ["", "没有代码", "city", "", "", "", "", "", "", "", "", "", "", ""],
            ["bad-limit", "坏时限", "city", "", "", "", "", "", "3天", "", "", "", "", ""],
            ["bad-q", "坏问题", "city", "", "", "", "", "", "", "", "[{", "", "", ""],
            ["orphan", "孤儿", "nope", "平安稳定", "", "", "", "", "", "", "", "", "", ""],
            ["ok-one", "重复", "city", "", "", "", "", "", "", "", "", "", "", ""],
            ["bad-mode", "坏模式", "city", "", "很急", "", "", "", "", "", "", "", "", ""],
        ],
        [
            ["city", "500103", "渝中区住房城乡建委", "", ""],
            ["streetlight", "999999", "渝中区住房城乡建委", "", ""],
            ["streetlight", "500105", "渝中区住房城乡建委", "", ""],
            ["streetlight", "500103", "没有这个单位", "", ""],
        ],
    )
    with pytest.raises(ImportErrors) as caught:
        catalogue_import(actor=users["city_admin"], data=data, filename="bad.xlsx")
    errors = {(e["sheet"], e["row"]): e["message"] for e in caught.value.detail}
    assert set(errors) == {
        ("分类", 3),
        ("分类", 4),
        ("分类", 5),
        ("分类", 6),
        ("分类", 7),
        ("分类", 8),
        ("派单规则", 2),
        ("派单规则", 3),
        ("派单规则", 4),
        ("派单规则", 5),
    }
    assert "代码须为" in errors[("分类", 3)]
    assert "3天" in errors[("分类", 4)]
    assert "JSON" in errors[("分类", 5)]
    assert "nope 不存在" in errors[("分类", 6)]
    assert "第 2 行重复" in errors[("分类", 7)]
    assert "很急" in errors[("分类", 8)]
    assert "是大类" in errors[("派单规则", 2)]
    assert "999999 不存在" in errors[("派单规则", 3)]
    assert "已撤销" in errors[("派单规则", 4)]  # 江北区 ended in 2025
    assert "没有这个单位" in errors[("派单规则", 5)]
    assert not Category.objects.filter(code="ok-one").exists()
    assert not RoutingRule.objects.exists()
    # The page shows the same rows, with their numbers.
    upload = io.BytesIO(data)
    upload.name = "bad.xlsx"
    page = login("city_admin").post("/matters/categories/import/", {"file": upload})
    html = page.content.decode()
    assert page.status_code == 200 and "10 行有错误，未导入任何数据" in html
    assert "<td>派单规则</td><td>5</td>" in html


def test_import_page_accepts_a_clean_file_and_refuses_non_admins(login: Any) -> None:
    data = _workbook(
        [["pets", "宠物扰民", "city", "", "", "", "", "", "", "", "", "是", "是", 7]], []
    )
    upload = io.BytesIO(data)
    upload.name = "catalogue.xlsx"
    assert login("yuzhong").post("/matters/categories/import/", {"file": upload}).status_code == 403
    upload.seek(0)
    done = login("city_admin").post("/matters/categories/import/", {"file": upload})
    assert done.status_code == 302
    assert Category.objects.get(code="pets").parent.code == "city"
    export = login("jiefangbei").get("/matters/categories/export.xlsx")
    assert export.status_code == 200
    assert any(r[0] == "pets" for r in _sheet(export.content, "分类"))


def test_import_refuses_a_file_that_is_not_xlsx(users: Any) -> None:
    with pytest.raises(ValidationFailed, match="无法读取该文件"):
        catalogue_import(actor=users["city_admin"], data=b"not a zip", filename="x.xlsx")


def test_catalogue_pages_query_count_does_not_grow_with_rows(login: Any, users: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login("city_admin")
    urls = ["/matters/categories/", "/matters/categories/rules/", "/matters/categories/noise/"]

    def counts() -> list[int]:
        out = []
        for url in urls:
            client.get(url)  # warm per-session caches
            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q))
        return out

    before = counts()
    admin = users["city_admin"]
    units = list(Unit.objects.filter(is_active=True)[:3])
    from zhili.areas.models import Area

    streets = list(Area.objects.filter(parent__code="500103", valid_to__isnull=True)[:4])
    for i in range(5):
        c = catalogue.category_create(
            actor=admin, code=f"extra-{i}", name=f"新增{i}", topic="safety", parent=None
        )
        leaf = catalogue.category_create(
            actor=admin, code=f"leaf-{i}", name=f"子类{i}", topic="safety", parent=c
        )
        for j, street in enumerate(streets):
            catalogue.routing_rule_set(
                actor=admin, category=leaf, area=street, unit=units[j % len(units)]
            )
    catalogue.routing_rule_set(
        actor=admin, category=Category.objects.get(code="noise"), area=streets[0], unit=units[0]
    )
    assert counts() == before
