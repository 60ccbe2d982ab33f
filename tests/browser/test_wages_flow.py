"""根治欠薪 in a browser, on a phone (375 px) and a desktop (1440 px): the street's worker registers
a project, imports a roster with one bad row (row-numbered errors, nothing written), then the fixed
file (imported once, twice refused as already imported); the queue and the dashboard render
without sideways scrolling; the district sees the project, another district does not."""

from __future__ import annotations

import io
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _id(n: int) -> str:
    from zhili.wages.imports import ID_CHECK, ID_WEIGHTS

    body = f"50010319900101{n:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def _roster(bad: bool) -> bytes:
    out = io.StringIO()
    out.write("姓名,身份证号,手机号,工资卡号,用工单位,工种,进场日期,退场日期\n")
    out.write(f"工人甲,{_id(1)},,6222000000000001,浏览器建工集团,木工,2026-01-02,\n")
    out.write(
        f"工人乙,{'123' if bad else _id(2)},,6222000000000002,浏览器建工集团,木工,2026-01-02,\n"
    )
    return out.getvalue().encode("utf-8")


def _fill(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.locator(f"[name={name}]").first.fill(value)


def test_wages_flow_on_a_phone(phone: Any, page: Any, sign_in: Any, scroll_width: Any) -> None:
    sign_in(phone, "jiefangbei")
    phone.goto("/wages/new/")
    _fill(
        phone,
        {
            "number": "XM-E2E-1",
            "name": "浏览器测试项目",
            "area_code": "500103003",
            "address": "民生路 9 号",
            "builder_name": "浏览器开发公司",
            "builder_code": "91500103E2E0000001",
            "contractor_name": "浏览器建工集团",
            "contractor_code": "91500103E2E0000002",
            "contract_value": "1000000",
            "labour_share": "20",
            "start_on": "2026-01-01",
            "labour_manager": "王五",
            "labour_manager_phone": "13700001111",
        },
    )
    phone.get_by_role("button", name="登记").click()
    phone.wait_for_load_state()
    assert "浏览器测试项目" in phone.locator("h1").inner_text()
    project_url = phone.url
    assert scroll_width(phone) <= 375

    def upload(data: bytes) -> None:
        form = phone.locator("#form-import")
        form.locator("select[name=kind]").select_option("roster")
        form.locator("input[name=file]").set_input_files(
            {"name": "花名册.csv", "mimeType": "text/csv", "buffer": data}
        )
        form.get_by_role("button", name="导入").click()
        phone.wait_for_load_state()

    upload(_roster(bad=True))
    phone.problems.allow("status of 422")  # the refused file is answered 422 on purpose
    assert "第 3 行：“身份证号”身份证号无效" in phone.locator("#import-errors").inner_text()
    assert "尚未导入花名册" in phone.locator("#roster").inner_text()
    upload(_roster(bad=False))
    assert "已导入 2 行" in phone.content()
    roster = phone.locator("#roster").inner_text()
    assert "5001**********" in roster and _id(1) not in roster
    upload(_roster(bad=False))
    assert "导入过，未重复导入" in phone.content()
    for path in ("/wages/warnings/", "/wages/dashboard/", "/wages/blacklist/", "/wages/rules/"):
        phone.goto(path)
        assert scroll_width(phone) <= 375, path

    page.set_viewport_size({"width": 1440, "height": 900})
    sign_in(page, "yuzhong")
    page.goto(project_url)
    assert "浏览器测试项目" in page.locator("h1").inner_text()
    page.goto("/wages/dashboard/")
    page.wait_for_selector("#wages-chart canvas")
    assert "渝中区" in page.locator("#districts").inner_text()
    page.context.clear_cookies()  # a second account in the same browser
    sign_in(page, "wanzhou")
    page.problems.allow("status of 404")
    assert page.goto(project_url).status == 404
