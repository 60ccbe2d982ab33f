"""The households table (农户表): a village's households and members imported from xlsx — all or
nothing, every bad row named by its number, the same file twice registered once (key: village +
户号), each new household with its passbook through ``household_create`` — plus the template and
the export (names masked), on the desk and in the API, scoped like the desk's household form."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client, override_settings
from openpyxl import Workbook, load_workbook

from zhili.core.models import AuditEvent
from zhili.points.households_xlsx import COLUMNS
from zhili.points.models import Account, AccountKind, Household, Member
from zhili.points.tests.conftest import BUILDING

pytestmark = pytest.mark.django_db

HEAD = ["户号", "户主", "网格或楼栋", "成员姓名", "与户主关系"]
GRID2 = "500103003013002"  # 民生路第2网格
OTHER_VILLAGE = "500103003016"  # 莲花池社区, another community of 解放碑


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _xlsx(rows: list[list[Any]], head: list[str] = HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(head)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(data: bytes, name: str = "农户表.xlsx") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def _page_import(c: Client, village: Any, data: bytes, name: str = "农户表.xlsx") -> Any:
    return c.post(
        f"/points/v/{village.code}/manage/",
        {"action": "import", "import-file": _upload(data, name)},
    )


def _api_import(c: Client, village: Any, data: bytes, name: str = "农户表.xlsx") -> Any:
    return c.post(
        f"/api/v1/points/villages/{village.code}/households/import",
        {"file": _upload(data, name)},
    )


def _state(village: Any) -> tuple[int, int, int, int]:
    """What an import may write: households, members, passbooks, audit records."""
    return (
        Household.objects.filter(village=village).count(),
        Member.objects.filter(household__village=village).count(),
        Account.objects.filter(kind=AccountKind.HOUSEHOLD).count(),
        AuditEvent.objects.filter(action__startswith="points.").count(),
    )


CLEAN = [
    ["3-01", "赵小红", BUILDING, "钱大牛", "丈夫"],
    ["3-01", "赵小红", BUILDING, "钱小宝", "儿子"],
    ["3-02", "孙建华", "民生路第2网格", None, None],  # the place by its name, no members
    [301, "周玉兰", GRID2, "吴明", "女婿"],  # a number typed as a number
]


def test_clean_import_on_the_page_registers_households_members_and_passbooks(
    village: Any, people: dict, households: list
) -> None:
    before = _state(village)
    c = _client(people["points_committee"])
    r = _page_import(c, village, _xlsx(CLEAN))
    assert r.status_code == 302, r.content.decode()
    got = {h.number: h for h in Household.objects.filter(village=village)}
    assert set(got) == {"1-01", "1-02", "1-03", "3-01", "3-02", "301"}
    assert (got["3-01"].head_name, got["3-01"].area.code) == ("赵小红", BUILDING)
    assert got["3-02"].area.code == GRID2 and got["301"].area.code == GRID2
    assert list(got["3-01"].members.order_by("pk").values_list("name", "relation")) == [
        ("钱大牛", "丈夫"),
        ("钱小宝", "儿子"),
    ]
    assert not got["3-02"].members.exists()
    # Each household has its own passbook, opened by household_create (audited one by one).
    for number in ("3-01", "3-02", "301"):
        account = got[number].account
        assert account.kind == AccountKind.HOUSEHOLD and account.area == village
        assert account.debit_limit == 0 and account.balance == 0
    assert AuditEvent.objects.filter(action="points.household_create").count() == 3 + 3
    audit = AuditEvent.objects.get(action="points.households_import")
    assert audit.after == {"households_created": 3, "members_added": 0, "households_unchanged": 0}
    assert _state(village)[:3] == (before[0] + 3, before[1] + 3, before[2] + 3)
    html = c.get(r["Location"]).content.decode()
    assert "新登记3户" in html and "新增成员0人" in html
    assert "赵**" in html and "赵小红" not in html  # the desk shows names masked


def test_a_bad_file_names_every_bad_row_and_writes_nothing(
    village: Any, people: dict, households: list
) -> None:
    rows = [
        ["4-01", "郑好", BUILDING, "郑一", "子"],  # row 2: good
        ["4-02", "", BUILDING, None, None],  # row 3: no head
        ["4-03", "冯雨", OTHER_VILLAGE, None, None],  # row 4: another village's place
        ["4-01", "郑好", GRID2, "郑二", "女"],  # row 5: same 户号, other place
        ["4-04", "陈晨", "不存在的楼", None, "妻"],  # row 6: relation without member; no place
        ["4-01", "郑好", BUILDING, "郑一", "子"],  # row 7: the member twice
        ["1-01", "另一人", BUILDING, None, None],  # row 8: registered 户号, other head
        ["4-05", "卫**", BUILDING, None, None],  # row 9: a masked name for a new household
        ["4-06", "蒋" * 61, BUILDING, None, None],  # row 10: head too long
        ["4-01", "郑坏", BUILDING, "郑三", "子"],  # row 11: same 户号, another head
    ]
    before = _state(village)
    c = _client(people["points_committee"])
    r = _page_import(c, village, _xlsx(rows))
    assert r.status_code == 422
    html = r.content.decode()
    for n in (3, 4, 5, 6, 7, 8, 9, 10, 11):
        assert f"第{n}行" in html, n
    assert "第2行：" not in html
    assert "户主为空" in html and "不是本村（社区）的网格或楼栋" in html
    assert (
        "4-01”的网格/楼栋与第2行不同" in html and "与第2行重复" in html and "成员姓名为空" in html
    )
    assert "4-01”的户主与第2行不同" in html and "户主不能超过60个字" in html
    assert "已登记，户主或网格/楼栋与表中不同" in html and "含*号" in html
    assert "未导入任何农户" in html
    assert _state(village) == before
    # The API answers the same rows, machine-readable.
    r = _api_import(c, village, _xlsx(rows))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "xlsx_rows"
    assert [e["row"] for e in body["detail"]] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert body["detail"][0]["errors"] == ["户主为空"]
    assert _state(village) == before
    # Missing columns: the header row is named.
    r = _api_import(c, village, _xlsx([["5-01", "x"]], head=["户号", "户主"]))
    assert r.status_code == 422 and r.json()["code"] == "xlsx_columns"
    assert "网格或楼栋" in r.json()["message"]
    assert _state(village) == before


def test_the_same_file_twice_registers_once_and_the_export_imports_unchanged(
    village: Any, people: dict, households: list
) -> None:
    c = _client(people["points_committee"])
    first = _api_import(c, village, _xlsx(CLEAN))
    assert first.status_code == 200, first.content
    assert first.json() == {"created": ["3-01", "3-02", "301"], "members_added": 0, "unchanged": 0}
    after = _state(village)
    again = _api_import(c, village, _xlsx(CLEAN))
    assert again.status_code == 200
    assert again.json() == {"created": [], "members_added": 0, "unchanged": 3}
    assert _state(village)[:3] == after[:3]
    # A new member on a registered household is added once, whatever the file says again.
    more = [*CLEAN, ["3-02", "孙建华", GRID2, "孙小妹", "女儿"]]  # the place by code now
    assert _api_import(c, village, _xlsx(more)).json() == {
        "created": [],
        "members_added": 1,
        "unchanged": 2,
    }
    assert _api_import(c, village, _xlsx(more)).json()["members_added"] == 0
    assert Member.objects.filter(household__number="3-02", name="孙小妹").count() == 1
    # The export: one row per member, names masked, place by code; importing it changes nothing.
    export = c.get(f"/points/v/{village.code}/households.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEAD, "网格或楼栋名称"]
    body = [r[:5] for r in rows[1:]]
    assert ("3-01", "赵**", BUILDING, "钱**", "丈夫") in body
    assert ("3-01", "赵**", BUILDING, "钱**", "儿子") in body
    assert ("1-01", "张**", BUILDING, None, None) in body
    expected = sum(max(h.members.count(), 1) for h in Household.objects.filter(village=village))
    assert len(body) == expected
    assert "赵小红" not in str(rows) and "钱大牛" not in str(rows)
    state = _state(village)
    r = _api_import(c, village, export.content)
    assert r.status_code == 200, r.content
    assert r.json() == {"created": [], "members_added": 0, "unchanged": 6}
    assert _state(village)[:3] == state[:3]


def test_the_template_is_the_header_row(village: Any, people: dict) -> None:
    r = _client(people["points_scorer"]).get(f"/points/v/{village.code}/households-template.xlsx")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True)) == [tuple(label for _k, label in COLUMNS)]


def test_only_the_village_committee_imports_and_only_into_its_village(
    village: Any, people: dict, households: list
) -> None:
    from zhili.testing.factories import user

    data = _xlsx(CLEAN)
    before = _state(village)
    # A scorer of the village sees the desk but not the form, and is refused (403).
    scorer = _client(people["points_scorer"])
    page = scorer.get(f"/points/v/{village.code}/manage/").content.decode()
    assert 'id="form-import"' not in page and 'id="households-export"' in page
    assert (
        'id="form-import"'
        in _client(people["points_committee"])
        .get(f"/points/v/{village.code}/manage/")
        .content.decode()
    )
    assert _api_import(scorer, village, data).status_code == 403
    assert _page_import(scorer, village, data).status_code == 403
    # Another district's officer does not even see the village (404), nor its export.
    wanzhou = _client(user("wanzhou"))
    assert _api_import(wanzhou, village, data).status_code == 404
    assert _page_import(wanzhou, village, data).status_code == 404
    assert wanzhou.get(f"/points/v/{village.code}/households.xlsx").status_code == 404
    # The committee may not place a household outside its village.
    committee = _client(people["points_committee"])
    r = _api_import(committee, village, _xlsx([["6-01", "韩梅", OTHER_VILLAGE, None, None]]))
    assert r.status_code == 422 and r.json()["detail"][0]["row"] == 2
    assert _state(village) == before
    assert not Household.objects.filter(number="6-01").exists()


def test_a_file_too_large_or_not_an_xlsx_is_refused_with_a_message(
    village: Any, people: dict
) -> None:
    c = _client(people["points_committee"])
    before = _state(village)
    for data, name in [
        (b"not a workbook", "农户表.xlsx"),
        (b"PK\x03\x04broken zip", "农户表.xlsx"),
        ("户号,户主\n1,张三\n".encode(), "农户表.csv"),
    ]:
        r = _api_import(c, village, data, name)
        assert r.status_code == 422 and r.json()["code"] == "xlsx", r.content
        page = _page_import(c, village, data, name)
        assert page.status_code == 422 and "无法读取该文件" in page.content.decode()
    empty = _xlsx([])
    assert _api_import(c, village, empty).json()["code"] == "xlsx_empty"
    with override_settings(ZHILI_MAX_IMPORT_BYTES=1000):
        big = _xlsx(CLEAN)
        assert len(big) > 1000
        r = _api_import(c, village, big)
        assert r.status_code == 422 and r.json()["code"] == "file_too_large"
        page = _page_import(c, village, big)
        assert page.status_code == 422 and "文件过大" in page.content.decode()
    # No file at all: the form says so; the API answers 422.
    r = c.post(f"/points/v/{village.code}/manage/", {"action": "import"})
    assert r.status_code == 422
    assert c.post(f"/api/v1/points/villages/{village.code}/households/import").status_code == 422
    assert _state(village) == before
