"""Lists of risks and disputes on a phone (375 px): no sideways scrolling, titles readable (not one
character per line), the number, place and deadline under the title."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser
GRID = "500103003013001"
LONG = "小区地下车库长期积水导致住户车辆受损业主与物业公司就赔偿责任发生争执"


def _api_post(page: Any, path: str, data: dict[str, Any]) -> dict[str, Any]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        path, data=data, headers={"X-CSRFToken": token, "Referer": page.url}
    )
    assert response.ok, response.text()
    return response.json()


def _title_is_readable(page: Any, table: str) -> None:
    cell = page.locator(f"#{table} tbody tr").first.locator("td.text-break")
    box = cell.bounding_box()
    assert box is not None and box["width"] >= 150, box  # not a column one character wide


def test_disputes_and_risks_lists_fit_a_phone(phone: Any, sign_in: Any, scroll_width: Any) -> None:
    sign_in(phone, "jiefangbei")
    phone.goto("/disputes/")
    dispute = _api_post(
        phone,
        "/api/v1/disputes",
        {
            "channel": "direct",
            "subject": LONG,
            "facts": "车库积水三个月",
            "area": GRID,
            "parties": [
                {"role": "applicant", "name": "郑一"},
                {"role": "respondent", "name": "某物业公司", "is_organisation": True},
            ],
        },
    )
    for url, table in (("/disputes/", "disputes"), ("/risks/", "risks")):
        phone.goto(url)
        assert scroll_width(phone) <= 375, url
        if url == "/disputes/":
            _title_is_readable(phone, table)
            row = phone.locator(f"#{table} tbody tr").first.inner_text()
            assert dispute["number"] in row and "民生路" in row
    phone.goto("/risks/queue/")
    assert scroll_width(phone) <= 375
