"""The cockpit's big screen at 1920×1080 and the kiosk (公示屏) at 1920×1080 and 1080×1920:
they draw, fit their screens, rotate, and keep going offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from tests.browser.conftest import _new_page

pytestmark = pytest.mark.browser
BIG = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
COMMUNITY = "500103003013"  # 民生路社区, 解放碑街道


def _fits(page: Any, size: dict[str, int]) -> None:
    width = int(page.evaluate("document.scrollingElement.scrollWidth"))
    height = int(page.evaluate("document.scrollingElement.scrollHeight"))
    assert width <= size["width"] and height <= size["height"], (width, height)


def test_big_screen_at_1920(browser: Any, server: str, sign_in: Any) -> None:
    page = _new_page(browser, server, BIG)
    sign_in(page, "city_admin")
    page.goto("/cockpit/screen/?days=30")
    assert "市域社会治理驾驶舱" in page.locator("h1").inner_text()
    page.locator("#cockpit-map canvas").first.wait_for()
    page.locator("#cockpit-trend canvas").first.wait_for()
    assert page.locator('[data-figure="matters.created"]').is_visible()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(11, 20, 38)"
    assert page.locator('meta[http-equiv="refresh"]').count() == 1
    _fits(page, BIG)
    # The map's figure can be changed; every map figure of the city is offered.
    options = page.locator("#cockpit-map-figure option").all_inner_texts()
    assert any("受理诉求" in o for o in options) and any("红色" in o for o in options)
    page.select_option("#cockpit-map-figure", index=1)
    # The trend offers the matters' days and the indicators' months.
    groups = page.locator("#cockpit-trend-group option").all_inner_texts()
    assert any("群众诉求" in g for g in groups) and any("平安指标" in g for g in groups)
    page.select_option("#cockpit-trend-group", index=1)
    page.context.close()
    assert not page.problems, "\n".join(page.problems)


def test_cockpit_drills_down_on_a_phone(phone: Any, sign_in: Any, scroll_width: Any) -> None:
    sign_in(phone, "yuzhong")
    phone.goto("/cockpit/")
    phone.locator("#cockpit-children").get_by_role("link", name="解放碑街道").click()
    phone.wait_for_url(re.compile(r"area=500103003"))
    assert "解放碑街道" in phone.locator("h1.page-title").inner_text()
    wide = phone.evaluate(
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 376)"
        ".slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className)"
    )
    assert scroll_width(phone) <= 375, wide


def test_kiosk_at_both_orientations(browser: Any, server: str, sign_in: Any) -> None:
    admin = _new_page(browser, server, {"width": 1280, "height": 900})
    sign_in(admin, "jiefangbei")
    admin.goto("/screens/")
    form = admin.locator("#centre-form")
    form.get_by_label("村/社区", exact=True).fill(COMMUNITY)
    form.get_by_label("名称").fill("民生路社区便民服务中心（浏览器测试）")
    form.get_by_label("监督投诉电话").fill("023-63800000")
    form.get_by_role("button", name="保存").click()
    admin.wait_for_url(re.compile(r"/screens/\d+/$"))
    notice = admin.locator("#notice-form")
    notice.get_by_label("标题").fill("停水通知")
    notice.get_by_label("内容").fill("本周六 9 时至 12 时停水，请提前储水。")
    notice.get_by_role("button", name="保存").click()
    admin.wait_for_load_state()
    assert "停水通知" in admin.locator("#notice-list").inner_text()
    duty = admin.locator("#duty-form")
    duty.get_by_label("岗位").fill("综合受理")
    duty.get_by_label("值班人员").fill("王五")
    duty.get_by_role("button", name="登记").click()
    admin.wait_for_load_state()
    assert "王五" in admin.locator("#duty-list").inner_text()
    device = admin.locator("#device-form")
    device.get_by_label("设备名称").fill("大厅电视")
    device.get_by_role("button", name="新增设备").click()
    pair = admin.locator("#device-token code").inner_text().strip()
    admin.context.close()
    assert not admin.problems, "\n".join(admin.problems)

    for size in (BIG, PORTRAIT):
        tv = _new_page(browser, server, size)  # no login
        tv.clock.install()
        tv.goto(pair)
        tv.wait_for_url("**/screens/kiosk/")
        active = tv.locator(".kiosk-slide.active h1")
        assert active.inner_text() == "停水通知"
        assert (
            int(
                tv.evaluate(
                    "parseFloat(getComputedStyle(document.querySelector('.kiosk-slide h1')).fontSize)"
                )
            )
            >= 64
        )
        assert "023-63800000" in tv.locator(".kiosk-foot").inner_text()
        _fits(tv, size)
        tv.clock.run_for(21_000)  # the notice shows 20 s, then the duty roster
        assert active.inner_text().startswith("今日值班")
        assert "王五" in tv.locator(".kiosk-slide.active").inner_text()
        # Beside 王五, no rate yet (fewer than five ratings); the rating page's QR code is whole
        # on the screen and does not cover the roster.
        assert "评价不足 5 条" in tv.locator(".kiosk-slide.active table").inner_text()
        qr = tv.locator(".kiosk-slide.active .kiosk-qr img").bounding_box()
        roster = tv.locator(".kiosk-slide.active table").bounding_box()
        foot = tv.locator(".kiosk-foot").bounding_box()
        assert qr and roster and foot and qr["width"] >= 200
        assert qr["x"] + qr["width"] <= size["width"] and qr["y"] + qr["height"] <= foot["y"]
        assert roster["x"] + roster["width"] <= qr["x"] or roster["y"] + roster["height"] <= qr["y"]
        assert "/screens/rate/" in tv.locator(".kiosk-slide.active .kiosk-qr").inner_text()
        # Offline: the poll fails, the slides stay and keep rotating. (Other modules' published
        # slides — the village's points ranking, 村务公开 — may join the notice and the roster.)
        before = tv.locator(".kiosk-slide").count()
        titles = tv.locator(".kiosk-slide h1").all_inner_texts()
        assert tv.evaluate("navigator.serviceWorker.ready.then(function () { return true; })")
        tv.context.set_offline(True)
        tv.clock.run_for(130_000)
        assert before >= 2 and tv.locator(".kiosk-slide").count() == before
        assert active.inner_text() in titles
        # A cold reload while offline (the TV restarted): the service worker serves the last page.
        tv.reload()
        assert tv.locator(".kiosk-slide h1").all_inner_texts() == titles
        assert "023-63800000" in tv.locator(".kiosk-foot").inner_text()
        tv.context.close()
        tv.problems.allow("ERR_INTERNET_DISCONNECTED|ERR_FAILED|Failed to fetch")
        assert not tv.problems, "\n".join(tv.problems)
