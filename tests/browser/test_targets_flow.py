"""打表推进 end to end in a browser: the office imports the plan, a unit reports, the office returns
then accepts, and the table and the ranking change.

The shared real `zhili serve` (gunicorn, DEBUG off) of tests/browser/conftest.py, prepared with the
operator's commands (migrate, load_areas, load_demo); Debian's chromium drives it.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "zhili-demo-2026"
EXPECTED = re.compile(r"status of (404|422)")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def targets_server(server: str) -> str:
    """The shared real server of tests/browser/conftest.py."""
    return server


@pytest.fixture(scope="module")
def targets_browser(browser: Any) -> Any:
    return browser


def _page(browser: Any, server: str, username: str, problems: list[str]) -> Any:
    context = browser.new_context(
        base_url=server,
        viewport={"width": 1366, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"{username} 脚本错误：{exc}"))

    def on_console(msg: Any) -> None:
        # A missing favicon (404) and the refused wrong file (422, on purpose) are not defects.
        if msg.type == "error" and not EXPECTED.search(msg.text):
            problems.append(f"{username} 控制台：{msg.text}")

    page.on("console", on_console)
    page.goto("/login/")
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def _xlsx(path: Path, *, bad: bool = False) -> Path:
    from openpyxl import Workbook

    today = dt.date.today()
    past, future = today - dt.timedelta(days=30), today + dt.timedelta(days=60)
    wb = Workbook()
    tasks = wb.active
    tasks.title = "目标任务"
    tasks.append(
        [
            "编号",
            "治理方式",
            "任务名称",
            "工作要求",
            "分值",
            "牵头单位",
            "配合单位",
            "适用区县",
            "完成时限",
        ]
    )
    tasks.append(
        [
            "1",
            "综治",
            "健全社会治安防控体系",
            "八类案件下降",
            3,
            "市公安局",
            "市住房城乡建委",
            "渝中区、万州区",
            future.isoformat(),
        ]
    )
    tasks.append(
        [
            "2",
            "自治",
            "推行无物业小区五方联席会",
            "",
            1,
            "市住房城乡建委",
            "",
            "渝中区",
            future.isoformat(),
        ]
    )
    if bad:
        tasks.append(["3", "民治", "任务", "", 1, "市不存在局", "", "", future.isoformat()])
    ms = wb.create_sheet("工作节点")
    ms.append(["任务编号", "节点", "节点要求", "佐证材料"])
    for n in ("1", "2"):
        ms.append([n, past.isoformat(), "制定实施方案", "方案文件"])
        ms.append([n, future.isoformat(), "全面完成", "工作总结"])
    neg = wb.create_sheet("负面清单")
    neg.append(["编号", "名称", "触发情形", "处理方式", "扣分"])
    neg.append(["F1", "发生重大群体性事件", "50 人以上聚集", "一票否决", ""])
    wb.save(path)
    return path


def _cell_text(page: Any, task: str, unit: str) -> str:
    """The symbol in the table cell of ``task`` (its number) under column ``unit``."""
    return str(
        page.evaluate(
            """([task, unit]) => {
              const t = document.querySelector('#target-table');
              const heads = [...t.querySelectorAll('thead th')].map(th => th.getAttribute('title') || th.textContent.trim());
              const col = heads.indexOf(unit);
              const row = [...t.querySelectorAll('tbody tr')].find(tr => tr.querySelector('th .n').textContent.trim() === task);
              return row.children[col].textContent.trim();
            }""",
            [task, unit],
        )
    )


def _gaj_rank(page: Any, plan_url: str) -> tuple[str, str]:
    page.goto(f"{plan_url}ranking/?by=unit")
    row = page.locator('#ranking tbody tr[data-name="市公安局"]')
    return row.locator("td").nth(0).inner_text(), row.locator(".score-total").inner_text()


def _open_cell(page: Any, task: str, unit: str) -> None:
    page.evaluate(
        """([task, unit]) => {
          const t = document.querySelector('#target-table');
          const heads = [...t.querySelectorAll('thead th')].map(th => th.getAttribute('title') || th.textContent.trim());
          const col = heads.indexOf(unit);
          const row = [...t.querySelectorAll('tbody tr')].find(tr => tr.querySelector('th .n').textContent.trim() === task);
          row.children[col].querySelector('a').click();
        }""",
        [task, unit],
    )
    page.locator("#cell-panel h2").wait_for()


def test_office_imports_unit_reports_office_returns_then_accepts(
    targets_server: str, targets_browser: Any, tmp_path: Path
) -> None:
    problems: list[str] = []
    office = _page(targets_browser, targets_server, "office_zfw", problems)

    # The office downloads the template and imports the plan; a bad file changes nothing.
    office.goto("/targets/")
    office.get_by_role("link", name="导入考核方案").click()
    with office.expect_download() as download:
        office.locator("#template-link").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    year = str((dt.date.today() - dt.timedelta(days=30)).year)
    office.get_by_label("考核年度").fill(year)
    office.get_by_label("方案名称").fill("浏览器测试方案")
    office.get_by_label("方案文件（.xlsx，使用系统模板）").set_input_files(
        str(_xlsx(tmp_path / "bad.xlsx", bad=True))
    )
    office.get_by_role("button", name="导入").click()
    errors = office.locator("#import-errors tbody tr")
    assert errors.count() == 1
    assert (
        "市不存在局" in errors.first.inner_text()
        and "4" in errors.first.locator("td").nth(1).inner_text()
    )
    office.get_by_label("考核年度").fill(year)
    office.get_by_label("方案文件（.xlsx，使用系统模板）").set_input_files(
        str(_xlsx(tmp_path / "good.xlsx"))
    )
    office.get_by_role("button", name="导入").click()
    office.wait_for_url("**/targets/*/")
    assert "已导入浏览器测试方案：2 项任务" in office.content()
    plan_url = office.url.split("?")[0]
    assert _cell_text(office, "1", "市公安局") == "超"  # the first milestone passed unreported
    rank_before = _gaj_rank(office, plan_url)
    assert rank_before[1] == "0.00"

    # The unit reports on its cell: a wrong file is refused, the text stays; then a real photo.
    unit = _page(targets_browser, targets_server, "unit_gaj", problems)
    unit.goto(plan_url)
    assert unit.locator("#target-table thead th.h").count() == 1  # only its own column
    _open_cell(unit, "1", "市公安局")
    panel = unit.locator("#cell-panel")
    first = panel.locator("section.report").first
    first.get_by_text("报送进展").click()
    first.get_by_label("进展情况").fill("已印发治安防控体系建设实施方案")
    first.get_by_label("佐证材料").set_input_files(
        files=[{"name": "方案.pdf", "mimeType": "application/pdf", "buffer": b"this is not a pdf"}]
    )
    first.get_by_role("button", name="报送", exact=True).click()
    unit.wait_for_load_state()
    assert "不是允许的文件类型" in unit.content()
    assert unit.get_by_label("进展情况").first.input_value() == "已印发治安防控体系建设实施方案"
    unit.get_by_label("佐证材料").first.set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    unit.get_by_role("button", name="报送", exact=True).first.click()
    unit.wait_for_load_state()
    assert "已报送" in unit.content()

    # The office returns it with a reason.
    office.goto(plan_url)
    _open_cell(office, "1", "市公安局")
    section = office.locator("#cell-panel section.report").first
    assert "已印发治安防控体系建设实施方案" in section.inner_text()
    assert section.get_by_role("link", name="现场照片.png").count() == 1
    section.get_by_label("退回").check()
    section.get_by_label("审核意见").fill("请补充会议记录")
    section.get_by_role("button", name="提交审核意见").click()
    office.wait_for_load_state()
    assert "已退回" in office.content()

    # The unit sees the reason and reports again, keeping its photo.
    unit.goto(plan_url)
    _open_cell(unit, "1", "市公安局")
    first = unit.locator("#cell-panel section.report").first
    assert "请补充会议记录" in first.inner_text()
    first.get_by_text("修改后重新报送").click()
    first.get_by_label("进展情况").fill("已补充会议记录")
    first.get_by_role("button", name="报送", exact=True).click()
    unit.wait_for_load_state()
    assert "已报送" in unit.content()

    # The office accepts; the cell and the ranking change.
    office.goto(plan_url)
    _open_cell(office, "1", "市公安局")
    section = office.locator("#cell-panel section.report").first
    assert section.locator(".ev-list > li").count() == 3
    section.get_by_label("通过").check()
    section.get_by_role("button", name="提交审核意见").click()
    office.wait_for_load_state()
    assert "已通过" in office.content()
    assert _cell_text(office, "1", "市公安局") == "进"  # first milestone done, the next not due
    rank_after = _gaj_rank(office, plan_url)
    assert rank_after[0] == "1" and float(rank_after[1]) > 0
    office.get_by_role("link", name="市公安局").click()
    explanation = office.locator("#explanation").inner_text()
    assert "任务 1" in explanation and "退回 1 次" in explanation

    # Every step is in the cell's history, with its author.
    office.goto(plan_url)
    _open_cell(office, "1", "市公安局")
    history = office.locator("#cell-panel section.report").first.locator(".ev-list").inner_text()
    for words in (
        "市公安局目标任务填报员 · 报送",
        "市委政法委考核办干部 · 退回",
        "市公安局目标任务填报员 · 报送（退回后重新报送；佐证材料 1 份）",
        "市委政法委考核办干部 · 通过",
    ):
        assert words in history, words
    for code in ("unit_gaj", "office_zfw", "submit", "return", "accept"):
        assert code not in history, code
    assert not problems, "\n".join(problems)


def test_table_prints_on_a3_and_fits_a_phone(targets_server: str, targets_browser: Any) -> None:
    problems: list[str] = []
    page = _page(targets_browser, targets_server, "office_zfw", problems)
    page.goto("/targets/")
    page.locator("#plans tbody a").first.click()
    page.wait_for_url(re.compile(r"/targets/\d+/$"))
    page.wait_for_load_state("load")  # the print stylesheet is in (it hides the filters)
    page.emulate_media(media="print")
    assert page.locator("#table-filters").is_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    # A3 landscape: 420 mm × 297 mm ≈ 1191 × 842 pt.
    assert re.search(rb"/MediaBox \[0 0 119[01]\.\d+ 84[12]\.\d+\]", pdf)
    phone = targets_browser.new_context(
        base_url=targets_server,
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
    ).new_page()
    phone.goto("/login/")
    phone.get_by_label("账号", exact=True).fill("unit_gaj")
    phone.get_by_label("密码", exact=True).fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.goto(page.url)
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375
    assert not problems, "\n".join(problems)
