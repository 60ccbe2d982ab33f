"""English is a choice of the reader: what the points bank stores or exchanges stays Chinese."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import translation

from zhili.points import ledger, rules
from zhili.points.models import AccountKind, Period


def test_labels_are_english_for_an_english_reader() -> None:
    with translation.override("en"):
        assert str(AccountKind.SHOP.label) == "Points shop"
        assert str(Period.WEEK.label) == "Weekly"
    assert str(AccountKind.SHOP.label) == "积分超市"


def test_an_account_opened_in_an_english_request_is_named_in_chinese(village: Any) -> None:
    with translation.override("en"):
        shop = ledger.village_account(village, AccountKind.SHOP)
    assert shop.name == f"{village.name}积分超市"


def test_the_rules_table_is_chinese_and_round_trips_in_english(people: dict, village: Any) -> None:
    from openpyxl import load_workbook

    with translation.override("en"):
        version = rules.rules_publish(
            actor=people["points_committee"],
            area=village,
            effective_from=dt.date(2026, 1, 1),
            items=[
                rules.ItemSpec(
                    code="A01", name="参加会议", points=1, cap=2, cap_period=Period.WEEK
                ),
                rules.ItemSpec(code="B01", name="最美庭院", points=5, cap_period=Period.YEAR),
            ],
        )
        data = rules.rules_export(version)
        again = rules.rules_import(
            actor=people["points_committee"],
            area=village,
            effective_from=dt.date(2026, 2, 1),
            data=data,
        )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "类别", "事项", "分值")
    assert [r[5] for r in rows[1:]] == ["每周", "每年"]
    assert rules.specs_of(again) == rules.specs_of(version)


def test_the_households_table_is_chinese_and_its_errors_english(
    people: dict, village: Any, households: list
) -> None:
    from django.conf import settings
    from django.test import Client
    from openpyxl import Workbook, load_workbook

    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    c.force_login(people["points_committee"])
    template = c.get(f"/points/v/{village.code}/households-template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).active
    assert sheet is not None
    assert next(sheet.iter_rows(values_only=True)) == (
        "户号",
        "户主",
        "网格或楼栋",
        "成员姓名",
        "与户主关系",
    )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["户号", "户主", "网格或楼栋"])
    ws.append(["9-01", "", "500103003013001"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "households.xlsx"
    page = c.post(f"/points/v/{village.code}/manage/", {"action": "import", "import-file": out})
    html = page.content.decode()
    assert page.status_code == 422
    assert "Row 2: Household head is empty" in html and "no household was imported" in html
    assert "Import households table" in html and "ownload the template" in html
