"""A street worker walks the area tree down to a grid, on a desktop and on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

STREET = "解放碑街道"
COMMUNITY = "民生路社区"
GRID = "民生路第1网格"


def _child_nodes(node: Any) -> Any:
    return node.locator(":scope > ul.tree-children > li.tree-node")


def _count_in_meta(node: Any) -> int:
    meta = node.locator(":scope > .tree-row .tree-meta").inner_text()
    found = re.search(r"(\d+) 个下级", meta)
    assert found, meta
    return int(found.group(1))


def _breadcrumb(page: Any) -> list[str]:
    return [t.strip() for t in page.locator(".breadcrumb .breadcrumb-item").all_inner_texts()]


def _descendant_counts(page: Any) -> dict[str, int]:
    rows = page.locator("#descendant-counts tr")
    out = {}
    for i in range(rows.count()):
        label, value = rows.nth(i).locator("td").all_inner_texts()
        out[label.strip()] = int(value)
    return out


def _children_table(page: Any) -> list[tuple[str, int]]:
    rows = page.locator("#children tbody tr")
    out = []
    for i in range(rows.count()):
        row = rows.nth(i)
        out.append(
            (row.locator("td a").inner_text().strip(), int(row.locator("td").last.inner_text()))
        )
    return out


def _walk_tree(page: Any, sign_in: Any) -> None:
    """Log in as jiefangbei, expand the street and a community lazily, open the community."""
    sign_in(page, "jiefangbei")
    page.goto("/areas/")

    roots = page.locator("#area-tree > ul > li.tree-node")
    assert roots.count() == 1, "街道工作人员只应看到本街道这一个根"
    root = roots.first
    assert root.locator(":scope > .tree-row a.tree-link").inner_text() == STREET
    expected = _count_in_meta(root)
    assert expected == 9

    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if "/children/" in r.url else None)
    toggle = root.locator(":scope > .tree-row .tree-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    communities = _child_nodes(root)
    communities.first.wait_for()
    assert communities.count() == expected
    assert toggle.get_attribute("aria-expanded") == "true"
    assert toggle.get_attribute("aria-label") == f"收起 {STREET}"

    # Closing and reopening uses what was loaded: no second request.
    toggle.click()
    assert root.locator(":scope > ul.tree-children").is_hidden()
    toggle.click()
    assert communities.first.is_visible()
    assert len(loads) == 1, loads

    community = communities.filter(has_text=COMMUNITY).first
    grids_expected = _count_in_meta(community)
    community.locator(":scope > .tree-row .tree-toggle").click()
    grids = _child_nodes(community)
    grids.first.wait_for()
    assert grids.count() == grids_expected == 3
    assert GRID in grids.all_inner_texts()[0]

    community.locator(":scope > .tree-row a.tree-link").click()
    page.wait_for_url("**/areas/500103003013/")


def _check_community_and_grid(page: Any) -> None:
    assert page.locator("h1.page-title").inner_text().startswith(COMMUNITY)
    assert _breadcrumb(page) == ["区划", "重庆市", "渝中区", STREET, COMMUNITY]
    # Above the worker's scope the breadcrumb names areas but does not link them (they would 404).
    crumbs = page.locator(".breadcrumb")
    assert crumbs.get_by_role("link", name=STREET).count() == 1
    assert crumbs.get_by_role("link", name="渝中区").count() == 0
    grids = _children_table(page)
    assert [name for name, _ in grids][:3] == [f"民生路第{i}网格" for i in (1, 2, 3)]
    counts = _descendant_counts(page)
    assert counts["网格"] == len(grids)
    assert counts["楼栋"] == sum(n for _, n in grids)

    page.locator("#children").get_by_role("link", name=GRID).click()
    page.wait_for_url("**/areas/500103003013001/")
    assert page.locator("h1.page-title").inner_text().startswith(GRID)
    assert _breadcrumb(page) == ["区划", "重庆市", "渝中区", STREET, COMMUNITY, GRID]
    buildings = _children_table(page)
    assert [name for name, _ in buildings] == ["1 号楼", "2 号楼", "3 号楼"]
    assert _descendant_counts(page) == {"楼栋": 3}
    assert "350" in page.locator("dl").inner_text()  # the grid's households

    # Back up through the breadcrumb to the street: its counts add up.
    page.locator(".breadcrumb").get_by_role("link", name=STREET).click()
    page.wait_for_url("**/areas/500103003/")
    communities = _children_table(page)
    counts = _descendant_counts(page)
    assert counts["村/社区"] == len(communities) == 9
    assert counts["网格"] == sum(n for _, n in communities)


def test_street_worker_walks_the_tree_to_a_grid(page: Any, sign_in: Any) -> None:
    _walk_tree(page, sign_in)
    _check_community_and_grid(page)


def test_tree_and_detail_fit_a_phone(phone: Any, sign_in: Any, scroll_width: Any) -> None:
    page = phone
    sign_in(page, "jiefangbei")
    width = page.viewport_size["width"]

    # The navigation is folded into the toggler; opening it reaches the tree.
    nav = page.locator("#nav-menu")
    assert nav.get_by_role("link", name="区划与网格").is_hidden()
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.click()
    nav.get_by_role("link", name="区划与网格").click()
    page.wait_for_url("**/areas/")

    _walk_tree(page, lambda *_: None)
    page.goto("/areas/")
    root = page.locator("#area-tree > ul > li.tree-node").first
    toggle = root.locator(":scope > .tree-row .tree-toggle")
    box = toggle.bounding_box()
    assert box and box["width"] >= 40 and box["height"] >= 40, f"展开按钮太小：{box}"
    toggle.click()
    _child_nodes(root).first.wait_for()
    assert scroll_width(page) <= width + 1, "区划树在手机上出现横向滚动"

    for path in ("/areas/500103003/", "/areas/500103003013/", "/areas/500103003013001/"):
        page.goto(path)
        assert scroll_width(page) <= width + 1, f"{path} 在手机上出现横向滚动"
        assert page.locator("#children").is_visible()
    page.goto("/areas/500103003013/")
    _check_community_and_grid(page)
    assert scroll_width(page) <= width + 1


def test_tree_load_failures_show_in_place_and_expired_sessions_log_in(
    page: Any, sign_in: Any
) -> None:
    sign_in(page, "jiefangbei")
    page.goto("/areas/")
    root = page.locator("#area-tree > ul > li.tree-node").first
    toggle = root.locator(":scope > .tree-row .tree-toggle")

    # A branch that answers 404 (here: pointed outside the scope) says so inside the tree.
    toggle.evaluate(
        "b => { b.setAttribute('hx-get', '/areas/500101/children/'); htmx.process(b); }"
    )
    toggle.click()
    error = root.locator(":scope > ul.tree-children [role=alert]")
    error.wait_for()
    assert "不在您的管辖范围内" in error.inner_text()
    page.problems.allow("404")  # htmx logs the refused request

    # With the session gone, expanding leads to the login page, not a login form in the tree.
    page.goto("/areas/")
    page.context.clear_cookies()
    page.locator("#area-tree .tree-toggle").first.click()
    page.wait_for_url("**/login/?next=%2Fareas%2F")
    assert page.get_by_role("button", name="登录").is_visible()
