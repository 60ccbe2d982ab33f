"""One matter around the closed loop in a real browser: a grid worker reports it on a phone, the
street accepts and dispatches it, the unit signs and reports with a photo, the street verifies and
closes it, the call-back rates it, and the resident looks up its progress.

The server is a real `zhili serve` (gunicorn, DEBUG off) on its own database, loaded with
migrate + load_areas + load_demo (the shared ``server`` and ``browser`` fixtures). Set
ZHILI_SHOTS=/some/dir to keep screenshots (desktop and 375 px) of the pages on the way.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "zhili-demo-2026"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
GRID = "500103003013001"  # 民生路第1网格, grid_jfb_01's grid
RESIDENT_PHONE = "13812345678"


class Pages:
    """New pages (desktop or phone) that record script errors and CSP violations."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.contexts: list[Any] = []
        self.problems: list[str] = []

    def open(self, *, phone: bool = False) -> Any:
        extra = {"is_mobile": True, "has_touch": True} if phone else {}
        context = self.browser.new_context(
            base_url=self.base_url,
            viewport=PHONE if phone else DESKTOP,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            **extra,
        )
        context.set_default_timeout(10_000)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.problems.append(f"脚本错误：{exc}"))

        def on_console(msg: Any) -> None:
            # Failed loads are reported with their address by on_response below.
            if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
                self.problems.append(f"控制台错误：{msg.text}")

        def on_response(resp: Any) -> None:
            if resp.status >= 400 and not resp.url.endswith("/favicon.ico"):
                self.problems.append(f"请求失败：{resp.status} {resp.url}")

        page.on("console", on_console)
        page.on("response", on_response)
        return page

    def close(self) -> None:
        for c in self.contexts:
            c.close()


@pytest.fixture
def pages(browser: Any, server: str) -> Iterator[Pages]:
    """Uses the shared real server and browser of tests/browser/conftest.py."""
    p = Pages(browser, server)
    yield p
    p.close()
    assert not p.problems, "\n".join(p.problems)


# Helpers ---------------------------------------------------------------------------------------


def sign_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def scroll_width(page: Any) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("ZHILI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def photo(color: str) -> dict[str, Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(out, format="JPEG")
    return {"name": f"{color}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


def status_of(page: Any) -> str:
    return str(page.locator("#matter-status").inner_text()).strip()


def act(page: Any, button: str) -> None:
    """Submit an action form by its button and wait for the page that follows."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


# The loop --------------------------------------------------------------------------------------


def test_matter_around_the_closed_loop(pages: Pages) -> None:
    # 1. The grid worker reports from a phone.
    phone = pages.open(phone=True)
    sign_in(phone, "grid_jfb_01")
    phone.goto("/matters/report/")
    assert scroll_width(phone) <= PHONE["width"], "手机表单不应横向滚动"
    phone.get_by_label("诉求类别").select_option("elevator")
    phone.locator(".question").get_by_text("是", exact=True).click()
    expect_text(phone.locator(".question-blocked"), "有人被困请立即拨打 119")
    phone.get_by_label("诉求类别").select_option("streetlight")
    expect_text(phone.locator(".category-hint"), "请写明路段和灯杆编号")
    phone.get_by_label("所在网格/楼栋").select_option(GRID)
    phone.get_by_label("诉求内容").fill("民生路 3 号楼前两盏路灯不亮，晚上行人看不清台阶")
    phone.get_by_label("照片或材料").set_input_files([photo("gray")])
    phone.get_by_text("群众联系方式（可选）").click()
    phone.get_by_label("群众电话（可选）").fill(RESIDENT_PHONE)
    assert scroll_width(phone) <= PHONE["width"]
    shot(phone, "report-phone")
    with phone.expect_navigation():
        phone.get_by_role("button", name="提交上报").click()
    number = phone.locator("#done-number").inner_text().strip()
    assert re.fullmatch(r"Q\d{14}", number), number
    assert scroll_width(phone) <= PHONE["width"]
    phone.goto("/matters/")
    assert scroll_width(phone) <= PHONE["width"], "手机上的工作台不应横向滚动"
    shot(phone, "queue-phone")

    # 2. The street accepts and dispatches it to a district department.
    desk = pages.open()
    sign_in(desk, "jiefangbei")
    desk.goto("/matters/?queue=intake")
    shot(desk, "queue-desktop")
    desk.get_by_role("link", name=number).first.click()
    desk.wait_for_load_state()
    assert status_of(desk) == "待受理"
    assert "138****5678" in desk.locator("#reporter").inner_text()
    desk.get_by_role("button", name="显示完整联系方式").click()  # htmx, audited
    expect_text(desk.locator("#reporter"), RESIDENT_PHONE)
    act(desk, "立案")
    assert status_of(desk) == "待派遣"
    desk.locator("#id_dispatch-unit").select_option(label="渝中区住房城乡建委")
    act(desk, "派遣")
    assert status_of(desk) == "待签收"
    assert desk.locator("#lead-unit").inner_text() == "渝中区住房城乡建委"
    # 改派 is folded, its form not in the page: opening the card draws it in place (htmx).
    assert desk.locator("#action-dispatch form").count() == 0
    desk.locator("#action-dispatch > summary").click()
    desk.locator("#id_dispatch-unit").wait_for()
    assert desk.locator("#action-dispatch button[type=submit]").inner_text().strip() == "改派"

    # 3. The unit signs, then reports with a photo.
    unit = pages.open()
    sign_in(unit, "unit_yz_jw")
    unit.goto("/matters/?queue=sign")
    unit.get_by_role("link", name=number).first.click()
    unit.wait_for_load_state()
    unit.get_by_label("已联系群众").first.check()
    act(unit, "签收")
    assert status_of(unit) == "处置中"
    unit.get_by_label("处置情况").fill("已更换两盏 LED 路灯，夜间复查照明正常")
    unit.locator("#action-report input[type=file]").set_input_files([photo("orange")])
    act(unit, "提交处置反馈")
    assert status_of(unit) == "待核查"
    thumbs = unit.locator("#timeline img.attachment-thumb")
    assert thumbs.count() == 2  # the grid worker's photo and the unit's
    for i in range(thumbs.count()):
        thumbs.nth(i).scroll_into_view_if_needed()
        unit.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=thumbs.nth(i).element_handle()
        )

    # 4. The street verifies and closes it; 5. the call-back rates it.
    desk.reload()
    desk.locator("#action-verify").get_by_text("核查通过", exact=True).click()
    act(desk, "提交核查结果")
    assert status_of(desk) == "待结案"
    act(desk, "结案")
    assert status_of(desk) == "已结案待回访"
    desk.locator("#action-rate").get_by_text("已解决", exact=True).click()
    desk.locator("#action-rate").get_by_text("满意", exact=True).click()
    act(desk, "保存回访")
    assert status_of(desk) == "已回访"
    timeline = desk.locator("#timeline").inner_text()
    for step in ("受理登记", "立案", "派遣", "签收", "处置反馈", "核查", "结案", "回访评价"):
        assert step in timeline
    shot(desk, "detail-desktop")
    phone.goto(f"/matters/{number}/")
    assert scroll_width(phone) <= PHONE["width"], "手机上的详情页不应横向滚动"
    shot(phone, "detail-phone")

    # The resident looks up the progress without logging in.
    public = pages.open(phone=True)
    public.goto("/public/lookup/")
    public.get_by_label("诉求编号").fill(number)
    public.get_by_label("手机号后四位").fill("0000")
    public.get_by_role("button", name="查询").click()
    expect_text(public.locator("#lookup-message"), "未查到")
    public.get_by_label("手机号后四位").fill(RESIDENT_PHONE[-4:])
    public.get_by_role("button", name="查询").click()
    expect_text(public.locator("#public-status"), "已办结并回访")
    steps = public.locator("#public-steps").inner_text()
    assert "渝中区住房城乡建委" in steps and "jiefangbei" not in steps
    assert scroll_width(public) <= PHONE["width"]
    shot(public, "lookup-phone")
    desktop_public = pages.open()
    desktop_public.goto("/public/report/")
    desktop_public.locator("select[name=area]").first.select_option(label="渝中区")
    expect_text(desktop_public.locator(".area-after select").first, "解放碑街道")
    shot(desktop_public, "public-report-desktop")


def expect_text(locator: Any, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)
