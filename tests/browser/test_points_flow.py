"""A scorer's week on a phone (375 px): five days of civic acts recorded with photos; the
supervisor approves them; the shopkeeper hands over an order on a phone (the hold is posted)."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser
VILLAGE = "500103003013"  # 民生路社区 (demo_points)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#1c7ed6").save(out, format="PNG")
    return out.getvalue()


def test_a_scorers_week_on_a_phone(phone: Any, page: Any, sign_in: Any, scroll_width: Any) -> None:
    sign_in(phone, "points_scorer")
    phone.goto("/points/")
    phone.wait_for_url(re.compile(rf"/points/v/{VILLAGE}/$"))
    phone.goto(f"/points/v/{VILLAGE}/score/")
    assert scroll_width(phone) <= 375
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 7)
    week = [("MS-004", "B01"), ("MS-005", "A01"), ("MS-006", "B02"), ("MS-007", "C01"),
            ("MS-008", "B01")]  # fmt: skip
    for day, (number, item) in enumerate(week):
        form = phone.locator("#record-form")
        household = form.get_by_label("农户")
        value = household.locator("option", has_text=number).first.get_attribute("value")
        household.select_option(value)
        form.get_by_label("积分事项").select_option(item)
        form.get_by_label("发生日期").fill((monday + dt.timedelta(days=day)).isoformat())
        form.get_by_label("现场照片").set_input_files(
            {"name": f"现场{day}.png", "mimeType": "image/png", "buffer": _png()}
        )
        with phone.expect_navigation():
            form.get_by_role("button", name="提交记录").click()
        assert "已记录" in phone.get_by_role("alert").first.inner_text()
    mine = phone.locator("#my-records").inner_text()
    assert mine.count("待审核") >= 5
    assert scroll_width(phone) <= 375
    # A record needing a photo, sent without one: refused in the page, the choices kept.
    form = phone.locator("#record-form")
    household = form.get_by_label("农户")
    household.select_option(
        household.locator("option", has_text="MS-009").first.get_attribute("value")
    )
    form.get_by_label("积分事项").select_option("C01")
    with phone.expect_navigation():
        form.get_by_role("button", name="提交记录").click()
    assert "须附现场照片" in phone.locator(".alert-danger").inner_text()
    assert form.get_by_label("积分事项").input_value() == "C01"

    # The supervisor (another person) approves the week on a desktop.
    sign_in(page, "points_supervisor")
    page.goto(f"/points/v/{VILLAGE}/review/")
    for _ in range(5):
        with page.expect_navigation():
            page.get_by_role("button", name="审核通过").first.click()
    board = page.goto(f"/points/public/{VILLAGE}/")
    assert board is not None and board.ok
    assert "MS-007" in page.locator("#public-records").inner_text()


def test_shop_pickup_on_a_phone(phone: Any, sign_in: Any, scroll_width: Any) -> None:
    sign_in(phone, "points_shop")
    phone.goto(f"/points/v/{VILLAGE}/shop/")
    assert scroll_width(phone) <= 375
    held = phone.locator("#held-orders li")
    before = held.count()
    assert before >= 1
    first = held.first
    text = first.inner_text()
    assert "肥皂" in text
    with phone.expect_navigation():
        first.get_by_role("button", name="领取").click()
    assert "已领取" in phone.get_by_role("alert").first.inner_text()
    assert phone.locator("#held-orders li").count() == before - 1
