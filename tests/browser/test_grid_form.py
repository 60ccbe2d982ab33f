"""A street worker adds a grid to a community through the form."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

pytestmark = pytest.mark.browser

COMMUNITY_URL = "/areas/500103003024/"  # 罗汉寺社区, 解放碑街道
CJK = re.compile(r"[\u4e00-\u9fff]")


def _open_form(page: Any) -> None:
    page.goto(COMMUNITY_URL)
    page.get_by_role("link", name="新建网格").click()
    page.wait_for_url("**/areas/500103003024/new/")
    assert page.locator("h1.page-title").inner_text() == "在 罗汉寺社区 下新建网格"


def test_create_grid_under_community(page: Any, sign_in: Any) -> None:
    sign_in(page, "jiefangbei")
    name = f"罗汉寺测试网格{secrets.token_hex(2)}"
    _open_form(page)
    page.get_by_label("名称").fill(name)
    page.get_by_label("户数").fill("120")
    page.get_by_label("地址").fill("民族路 188 号")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url(re.compile(r"/areas/500103003024\d{3}/$"))
    assert page.locator("h1.page-title").inner_text().startswith(name)
    assert f"已新建网格：{name}" in page.get_by_role("alert").first.inner_text()
    details = page.locator("dl").inner_text()
    assert "120" in details and "民族路 188 号" in details
    assert page.locator(".breadcrumb").get_by_role("link", name="罗汉寺社区").count() == 1
    history = page.locator("#history")
    assert "新增区划" in history.inner_text()  # the action's label, never its code
    assert "area.create" not in history.inner_text()
    assert "jiefangbei" in history.inner_text()

    page.goto(COMMUNITY_URL)
    assert page.locator("#children").get_by_role("link", name=name).count() == 1


def test_empty_name_shows_chinese_error_and_keeps_input(page: Any, sign_in: Any) -> None:
    sign_in(page, "jiefangbei")
    _open_form(page)
    page.get_by_label("户数").fill("88")
    page.get_by_label("地址").fill("解放碑步行街 1 号")
    page.get_by_label("纬度（WGS-84）").fill("29.557")
    page.get_by_role("button", name="保存").click()

    page.wait_for_load_state()
    assert page.url.endswith("/areas/500103003024/new/"), "出错时应留在表单页"
    name = page.get_by_label("名称")
    assert name.get_attribute("aria-invalid") == "true"
    error = page.locator("#id_name_error")
    assert error.is_visible()
    assert CJK.search(error.inner_text()), f"错误信息应为中文：{error.inner_text()!r}"
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("户数").input_value() == "88"
    assert page.get_by_label("地址").input_value() == "解放碑步行街 1 号"
    assert page.get_by_label("纬度（WGS-84）").input_value() == "29.557"

    # With a name, the service's own rule speaks: a latitude needs a longitude. Nothing is lost.
    name.fill("罗汉寺补录网格")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "经度和纬度须同时填写" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("名称").input_value() == "罗汉寺补录网格"
    assert page.get_by_label("户数").input_value() == "88"

    page.get_by_label("经度（WGS-84）").fill("106.577")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"/areas/500103003024\d{3}/$"))
    details = page.locator("dl").inner_text()
    assert "88" in details and "29.557, 106.577" in details
