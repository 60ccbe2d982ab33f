"""Every main page loads cleanly (no script errors, nothing blocked by the CSP) and fits a phone."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/areas/",
    "/areas/500000/",
    "/areas/500105/",
    "/areas/boundaries/",
    "/org/units/",
    "/org/users/",
    "/org/roles/",
    "/org/liaisons/",
    "/audit/",
]


def test_boundaries_map_draws_the_districts(page: Any, sign_in: Any) -> None:
    sign_in(page, "city_admin")
    page.goto("/areas/boundaries/")
    page.locator("#boundary-map[data-ready='1'] canvas").first.wait_for()
    box = page.locator("#boundary-map canvas").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    # Something was drawn: the canvas is not blank.
    painted = page.evaluate(
        """() => {
          const c = document.querySelector('#boundary-map canvas');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
          return n;
        }"""
    )
    assert painted > 10_000
    # 38 districts less 江北, 渝北, plus 两江; and the demo's 11 generated streets of 渝中区.
    assert page.locator("#boundaries tbody tr").count() == 37 + 11


def test_a_street_sees_its_own_boundary(page: Any, sign_in: Any) -> None:
    sign_in(page, "jiefangbei")
    page.goto("/areas/boundaries/")
    rows = page.locator("#boundaries tbody tr")
    assert rows.count() == 1 and "解放碑街道" in rows.first.inner_text()


def test_ended_district_points_to_its_successor(page: Any, sign_in: Any) -> None:
    sign_in(page, "city_admin")
    page.goto("/areas/500105/")
    assert "撤销" in page.locator("h1.page-title").inner_text()
    alert = page.get_by_role("alert").first
    assert "两江新区" in alert.inner_text()
    alert.get_by_role("link", name="两江新区").click()
    page.wait_for_url("**/areas/500199/")


@pytest.mark.parametrize("username", ["city_admin", "jiefangbei"])
def test_pages_fit_a_phone(phone: Any, sign_in: Any, scroll_width: Any, username: str) -> None:
    sign_in(phone, username)
    width = phone.viewport_size["width"]
    users = phone.goto("/org/users/")
    assert users is not None and users.ok
    detail = phone.locator("#users a").first.get_attribute("href")
    for path in [*PAGES, detail]:
        response = phone.goto(path)
        assert response is not None
        if username == "jiefangbei" and path in {"/areas/500000/", "/areas/500105/"}:
            assert response.status == 404
        else:
            assert response.ok, f"{path} → {response.status}"
        assert scroll_width(phone) <= width + 1, f"{path} 在手机上出现横向滚动"


def test_deleting_a_liaison_asks_first(page: Any, sign_in: Any) -> None:
    sign_in(page, "city_admin")
    page.goto("/org/liaisons/")
    rows = page.locator("#liaisons tbody tr")
    before = rows.count()
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    rows.first.get_by_role("button", name="删除").click()
    assert asked and "解放碑街道" in asked[0]
    assert page.url.endswith("/org/liaisons/")
    assert rows.count() == before
