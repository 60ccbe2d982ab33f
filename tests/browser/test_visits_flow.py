"""楼栋工作日 in a real browser: the street office plans a visit on the desktop; the grid worker,
on a 375 px phone, opens it, registers the resident met, records the demand and turns it into a
matter in one step, then marks the visit done. The matter is a matter like any other (channel
楼栋工作日) and its page links back to the visit.

Set ZHILI_SHOTS=/some/dir to keep screenshots of the pages on the way."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "zhili-demo-2026"
GRID = "500103003013001"  # 民生路第1网格, grid_jfb_01's grid
PHONE_WIDTH = 375


def sign_in(page: Any, username: str) -> None:
    page.goto("/login/")
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def width(page: Any) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


def shot(page: Any, name: str) -> None:
    folder = os.environ.get("ZHILI_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def click_and_wait(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()


def test_cadre_records_a_visit_and_turns_a_demand_into_a_matter(page: Any, phone: Any) -> None:
    # The street office plans the visit (desktop).
    sign_in(page, "jiefangbei")
    page.goto("/visits/plans/")
    page.get_by_label("计划名称").fill("民生路网格楼栋工作日")
    page.get_by_label("走访干部", exact=True).fill("grid_jfb_01")
    page.get_by_label("走访范围（街道、社区或网格）").fill(GRID)
    click_and_wait(page, "建立计划")
    page.get_by_label("楼栋").select_option(label="1 号楼")
    page.get_by_label("计划日期").fill(dt.date.today().isoformat())
    click_and_wait(page, "安排")
    assert "1 号楼" in page.locator("#plan-visits").inner_text()
    shot(page, "visits-plan-desktop")

    # The grid worker, one hand on a phone.
    sign_in(phone, "grid_jfb_01")
    phone.goto("/visits/")
    assert width(phone) <= PHONE_WIDTH, "手机上的走访列表不应横向滚动"
    with phone.expect_navigation():
        phone.locator("#todo a").first.click()
    assert width(phone) <= PHONE_WIDTH
    phone.get_by_text("登记走访群众").click()
    phone.get_by_label("群众姓名").fill("赵阿姨")
    phone.get_by_label("联系电话").fill("13911112222")
    phone.get_by_label("门牌/房号").fill("2 单元 301")
    click_and_wait(phone, "保存群众")
    assert "赵**" in phone.locator("#residents").inner_text()
    phone.get_by_text("登记诉求", exact=True).click()
    phone.get_by_label("诉求内容").fill("楼道灯坏了两个月，老人晚上下楼看不见")
    phone.get_by_label("诉求分类").select_option("streetlight")
    phone.get_by_label("反映人").select_option(index=1)
    assert phone.get_by_label("立即转为诉求事项").is_checked()
    assert width(phone) <= PHONE_WIDTH
    shot(phone, "visit-demand-phone")
    click_and_wait(phone, "保存诉求")
    link = phone.locator("#demands a.matter-link")
    number = link.inner_text().strip()
    assert re.fullmatch(r"Q\d{14}", number), number
    assert "待受理" in phone.locator("#demands").inner_text()
    # The buttons are big enough for a thumb.
    box = phone.get_by_role("button", name="走访完成").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    phone.get_by_label("现场情况（召开现场会、走访发现）").fill("楼栋坝坝会，8 户参加")
    click_and_wait(phone, "走访完成")
    assert phone.locator("#visit-status").inner_text().strip() == "已走访"
    timeline = phone.locator("#visit-events").inner_text()
    for step in ("安排走访", "登记走访群众", "登记诉求", "诉求转为事项", "记录走访"):
        assert step in timeline, step
    assert width(phone) <= PHONE_WIDTH
    shot(phone, "visit-done-phone")

    # The matter: channel 楼栋工作日, waiting for intake like any other, linked to the visit.
    page.goto(f"/matters/{number}/")
    body = page.locator("body").inner_text()
    assert "楼栋工作日" in body and "待受理" in body
    visit_link = page.locator("#linked-cases a", has_text="楼栋走访")
    assert visit_link.count() == 1
    with page.expect_navigation():
        visit_link.click()
    assert number in page.locator("#demands").inner_text()

    # The street office's figures: this week's contact and the month's bulletin.
    page.goto(f"/visits/report/?week={dt.date.today().isoformat()}")
    row = page.locator("#by-cadre tr", has_text="解放碑网格员01")
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[1:4] == ["1", "1", "0"] and cells[6] == "1/1", cells
    assert cells[7:10] == ["1", "1", "1"], cells
    shot(page, "visits-report-desktop")
    with page.expect_download() as download:
        page.locator("#xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # Every page of the two modules fits a 375 px phone (tables scroll inside their card).
    for url in (
        "/visits/plans/",
        "/visits/report/",
        "/visits/liaisons/",
        "/compounds/",
        "/compounds/meetings/",
    ):
        phone.goto(url)
        assert width(phone) <= PHONE_WIDTH, url
