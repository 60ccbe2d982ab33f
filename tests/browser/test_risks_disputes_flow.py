"""Registering a risk from a matter, and mediating a court-assigned dispute to agreement."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser
GRID = "500103003013001"  # a demo grid in 解放碑街道


def _api_post(page: Any, path: str, data: dict[str, Any]) -> dict[str, Any]:
    """POST to the API with the page's session (CSRF token from the cookie)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        path, data=data, headers={"X-CSRFToken": token, "Referer": page.url}
    )
    assert response.ok, response.text()
    return response.json()


def test_register_a_risk_from_a_matter(page: Any, sign_in: Any) -> None:
    sign_in(page, "jiefangbei")
    matter = _api_post(
        page,
        "/api/v1/matters",
        {
            "category": "wage-arrears",
            "channel": "staff",
            "area": GRID,
            "address": "民生路在建工地",
            "description": "民生路工地拖欠 40 名工人三个月工资，工人说要去区政府门口讨薪",
            "reporter_name": "孙八",
            "reporter_phone": "13512345678",
            "answers": {"workers": 40, "site": "是"},
        },
    )
    page.goto(f"/matters/{matter['number']}/")
    page.locator("#linked-cases").get_by_role("link", name="登记为风险").click()
    page.wait_for_url("**/risks/new/?matter=*")
    assert page.get_by_label("风险事项（见事）").input_value().startswith("民生路工地拖欠")
    page.get_by_label("风险名称").fill("工地欠薪可能引发聚集讨薪")
    page.get_by_label("类别").select_option("labour")
    page.get_by_label("相关人员姓名（见人）").fill("")
    page.get_by_role("button", name="入库").click()
    assert "见人" in page.get_by_role("alert").first.inner_text()  # refused, typed values kept
    assert page.get_by_label("风险名称").input_value() == "工地欠薪可能引发聚集讨薪"
    page.get_by_label("相关人员姓名（见人）").fill("孙八")
    page.get_by_role("button", name="入库").click()
    page.wait_for_url(re.compile(r"/risks/FX\d+/$"))
    form = page.locator("#form-assess")
    form.get_by_label("可能性（1-5）").fill("4")
    form.get_by_label("影响程度（1-5）").fill("4")
    form.get_by_role("button", name="评估定级").click()
    page.wait_for_load_state()
    assert "红·重大" in page.locator("h1.page-title").inner_text()
    assert "渝中区" in page.locator("dl").inner_text()  # escalated to the district
    page.goto(f"/matters/{matter['number']}/")
    assert "工地欠薪可能引发聚集讨薪" in page.locator("#linked-cases").inner_text()


def test_mediate_a_court_assigned_dispute_to_agreement(page: Any, sign_in: Any) -> None:
    sign_in(page, "jiefangbei")
    page.goto("/disputes/new/")
    page.get_by_label("来源", exact=True).select_option("court_assigned")
    page.get_by_label("法院/派出所/信访文书号").fill("(2026)渝0103民诉前调301号")
    page.get_by_label("纠纷事由").fill("房屋租赁押金纠纷")
    page.get_by_label("基本情况").fill("租期届满后房东未退还押金 6000 元")
    page.get_by_label("发生地（街道、社区或网格）").fill(GRID)
    page.get_by_label("申请人", exact=True).fill("周九")
    page.get_by_label("被申请人", exact=True).fill("吴十")
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(r"/disputes/TJ\d+/$"))
    url = page.url
    assign = page.locator("#form-assign")
    assign.get_by_label("人民调解委员会").select_option(label="解放碑街道人民调解委员会")
    assign.get_by_label("调解员", exact=True).fill("mediator_jfb")
    assign.get_by_role("button", name="指派调解员").click()
    page.wait_for_load_state()
    assert "调解中" in page.locator("h1.page-title").inner_text()

    page.context.clear_cookies()
    sign_in(page, "mediator_jfb")
    page.goto(url)
    extend = page.locator("#form-extend")
    extend.get_by_label("延长天数").fill("45")
    extend.get_by_label("双方当事人已申请延期").check()
    extend.get_by_role("button", name="延长调解期限").click()
    assert "1 到 30 天" in page.locator("#form-extend").inner_text()
    session = page.locator("#form-session")
    session.get_by_label("调解时间").fill("2026-11-20T10:00")
    session.get_by_label("调解记录").fill("双方到场，房东同意退还押金 5000 元")
    session.get_by_role("button", name="记录调解").click()
    page.wait_for_load_state()
    agree = page.locator("#form-agree")
    agree.get_by_label("协议内容").fill("吴十于 2026 年 12 月 5 日前退还周九押金 5000 元")
    agree.get_by_role("button", name="达成协议").click()
    page.wait_for_load_state()
    assert "达成协议" in page.locator("h1.page-title").inner_text()
    page.get_by_role("link", name="打印协议书").click()
    assert "人民调解协议书" in page.locator("h1").inner_text()
    assert "退还周九押金 5000 元" in page.content()
