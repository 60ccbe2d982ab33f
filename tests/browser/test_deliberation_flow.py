"""A village secretary records the party members' meeting of a 四议两公开 record on a phone:
the meeting one short of two thirds is refused with its reason, the corrected one passes."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser
COMMUNITY = "500103003013"  # 民生路社区: secretary_msl's community
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _api(page: Any, path: str, data: dict[str, Any], *, form: bool = False) -> dict[str, Any]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    headers = {"X-CSRFToken": token, "Referer": page.url}
    kwargs = {"multipart": data} if form else {"data": data}
    response = page.request.post(path, headers=headers, **kwargs)
    assert response.ok, response.text()
    return response.json()


def test_a_secretary_records_the_party_meeting_on_a_phone(
    phone: Any, sign_in: Any, scroll_width: Any
) -> None:
    sign_in(phone, "secretary_msl")
    record = _api(
        phone,
        "/api/v1/deliberation/records",
        {
            "area": COMMUNITY,
            "title": "3 号楼加装电梯选址",
            "content": "拟在 3 号楼东侧加装电梯一部",
        },
    )
    number = record["number"]
    base = f"/api/v1/deliberation/records/{number}/steps/"
    _api(phone, base + "propose", {"held_on": "2026-11-02", "text": "党组织提议"}, form=True)
    _api(phone, base + "discuss", {"held_on": "2026-11-03", "text": "两委会商议"}, form=True)

    phone.goto(f"/deliberation/{number}/")
    assert "待党员大会审议" in phone.locator("#status").inner_text()
    form = phone.locator("#form-review")
    form.get_by_label("应到人数").fill("30")
    form.get_by_label("实到人数").fill("19")
    form.get_by_label("赞成").fill("19")
    form.get_by_label("内容（会议记录、决议或公开内容）").fill("党员大会审议加装电梯选址")
    sheet = {"name": "签到表.pdf", "mimeType": "application/pdf", "buffer": PDF}
    form.get_by_label("签到和表决签字材料扫描件（PDF 或图片）").set_input_files(sheet)
    form.get_by_role("button", name="党员大会审议").click()
    phone.wait_for_load_state()
    form = phone.locator("#form-review")
    alert = form.get_by_role("alert").inner_text()
    assert "不足应到党员 30 人的三分之二" in alert and "至少须到会 20 人" in alert
    assert form.get_by_label("应到人数").input_value() == "30"  # what was typed is kept
    assert scroll_width(phone) <= 375

    form.get_by_label("实到人数").fill("20")
    form.get_by_label("赞成").fill("16")
    form.get_by_label("签到和表决签字材料扫描件（PDF 或图片）").set_input_files(sheet)
    form.get_by_role("button", name="党员大会审议").click()
    phone.wait_for_url(re.compile(rf"/deliberation/{number}/$"))
    assert "待村（居）民会议决议" in phone.locator("#status").inner_text()
    steps = phone.locator("#steps").inner_text()
    assert "党员大会审议" in steps and "实到 20" in steps and "赞成 16" in steps
    assert phone.locator("#steps").get_by_role("link", name=re.compile("签字材料")).count() == 1
    assert scroll_width(phone) <= 375
