"""The footer's switch turns the pages into English and back, naming each language in its own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")


def _switch(page: Any, code: str) -> None:
    page.locator("select[name=language]").select_option(code)
    page.locator("select[name=language]").locator("xpath=..").get_by_role("button").click()
    page.wait_for_load_state()


def test_the_switch_turns_the_pages_into_english_and_back(page: Any) -> None:
    page.goto("/login/")
    options = page.locator("select[name=language] option")
    assert options.all_inner_texts() == ["简体中文", "English"]
    assert page.get_by_role("heading", name="账号登录").is_visible()

    _switch(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Log in to your account").is_visible()
    assert options.all_inner_texts() == ["简体中文", "English"]  # each in its own language
    page.get_by_label("Account", exact=True).fill("jiefangbei")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto("/matters/")
    heading = page.locator("h1.page-title").inner_text()
    assert heading and not HAN.search(heading), heading
    menu = page.locator("#nav-menu").inner_text()
    assert "Request desk" in menu, menu
    assert page.locator("footer button").inner_text().strip() == "Switch"
    # The longer English menu wraps onto a second line instead of widening the page.
    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        wide = int(page.evaluate("document.scrollingElement.scrollWidth"))
        assert wide <= width, (width, wide)

    _switch(page, "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert HAN.search(page.locator("h1.page-title").inner_text())
    assert page.locator("footer button").inner_text().strip() == "切换"
