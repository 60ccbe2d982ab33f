"""Logging in, and what lies outside a user's scope."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_wrong_password_is_refused_in_chinese(page: Any, sign_in: Any) -> None:
    sign_in(page, "wanzhou", "not-the-password")
    assert page.url.endswith("/login/")
    alert = page.get_by_role("alert")
    assert "账号或密码错误" in alert.inner_text()
    # The username stays typed in; the password does not.
    assert page.get_by_label("账号", exact=True).input_value() == "wanzhou"
    assert page.get_by_label("密码", exact=True).input_value() == ""


def test_area_outside_scope_is_a_chinese_404(page: Any, sign_in: Any) -> None:
    sign_in(page, "yuzhong")
    assert page.locator("h1.page-title").inner_text().startswith("您好")

    response = page.goto("/areas/500101/")  # 万州区, outside 渝中区
    assert response is not None and response.status == 404
    assert page.locator("h1.page-title").inner_text() == "未找到"
    assert "不在您的管辖范围内" in page.get_by_role("alert").inner_text()
    assert "万州区" not in page.content(), "404 页面不应泄露范围外区域的名称"
    assert page.get_by_role("link", name="返回首页").is_visible()

    # Its lazily loaded branch answers the same.
    partial = page.request.get("/areas/500101/children/")
    assert partial.status == 404

    # A street of 万州区 is just as hidden, and 渝中区 itself opens.
    assert page.goto("/areas/500101001/").status == 404
    assert page.goto("/areas/500103/").status == 200
    assert page.locator("h1.page-title").inner_text().startswith("渝中区")
