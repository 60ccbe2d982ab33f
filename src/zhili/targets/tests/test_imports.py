"""The plan workbook: the template from the system, a clean import, and bad files that write nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.targets.imports import ImportErrors, milestone_due
from zhili.targets.models import Assignment, NegativeItem, Plan, Report, Task
from zhili.targets.services import plan_import

from .conftest import MS_HEAD, NEG_HEAD, TASK_HEAD, workbook

GOOD = [
    [
        "1",
        "政治",
        "健全领导体制",
        "每季度专题研究",
        2,
        "市公安局",
        "市住房城乡建委",
        "全部",
        "2031-12-31",
    ],
    ["2", "法治", "一村一法律顾问", "", 1.5, "市住房城乡建委", "", "渝中区、万州区", "2031-12-31"],
]


def test_template_is_offered_and_reads_back(login: Any) -> None:
    from openpyxl import load_workbook

    response = login("office_zfw").get("/targets/template.xlsx")
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[:3] == ["目标任务", "工作节点", "负面清单"]
    assert [c.value for c in wb["目标任务"][1]] == TASK_HEAD
    assert [c.value for c in wb["工作节点"][1]] == MS_HEAD
    assert [c.value for c in wb["负面清单"][1]] == NEG_HEAD


def test_good_file_creates_tasks_assignments_and_reports(office: Any) -> None:
    ms = [
        ["1", "一季度", "印发方案", "文件"],
        ["1", "6月", "过半", "台账"],
        ["1", "2031-09-15", "评估", ""],
    ]
    negs = [
        ["F1", "群体性事件", "50 人以上", "一票否决", ""],
        ["F2", "安全事故", "死亡 3 人", "扣分", 5],
    ]
    plan = plan_import(
        actor=office, year=2031, title="", data=workbook(GOOD, ms, negs), filename="p.xlsx"
    )
    assert plan.title == "2031 年市域社会治理试点目标任务"
    t1, t2 = Task.objects.filter(plan=plan).order_by("seq")
    assert [(m.label, str(m.due)) for m in t1.milestones.all()] == [
        ("一季度", "2031-03-31"),
        ("6月", "2031-06-30"),
        ("09-15", "2031-09-15"),
    ]
    # No milestone rows: one milestone at the deadline.
    assert [(m.label, str(m.due)) for m in t2.milestones.all()] == [("完成时限", "2031-12-31")]
    kinds = sorted(Assignment.objects.filter(task=t1).values_list("kind", flat=True))
    assert kinds.count("district") == 37 and kinds.count("lead") == 1 and kinds.count("co") == 1
    assert Report.objects.filter(assignment__task=t1).count() == 39 * 3
    assert Report.objects.filter(assignment__task=t2).count() == 3
    assert NegativeItem.objects.get(plan=plan, number="F2").points == 5


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_written(office: Any) -> None:
    tasks = [
        GOOD[0],
        ["2", "民治", "", "", 0, "市不存在局", "市公安局", "火星区", "明年"],
        ["1", "法治", "重复编号", "", 1, "市公安局", "", "", "2031-12-31"],
        ["4", "智治", "配合重复", "", 1, "市公安局", "市公安局", "", "2031-12-31"],
    ]
    ms = [["9", "一季度", "", ""], ["1", "13月", "", ""], ["1", "2032-01-31", "", ""]]
    negs = [["F1", "事件", "情形", "警告", ""], ["F2", "事故", "情形", "扣分", ""]]
    before = (Plan.objects.count(), Task.objects.count(), Report.objects.count())
    with pytest.raises(ImportErrors) as caught:
        plan_import(
            actor=office, year=2031, title="x", data=workbook(tasks, ms, negs), filename="bad.xlsx"
        )
    rows = {(e["sheet"], e["row"]): e["message"] for e in caught.value.detail}
    assert set(rows) == {
        ("目标任务", 3),
        ("目标任务", 4),
        ("目标任务", 5),
        ("工作节点", 2),
        ("工作节点", 3),
        ("工作节点", 4),
        ("负面清单", 2),
        ("负面清单", 3),
    }
    row3 = rows[("目标任务", 3)]
    for words in ("治理方式", "任务名称不能为空", "分值", "市不存在局", "火星区", "完成时限"):
        assert words in row3
    assert "与第 2 行重复" in rows[("目标任务", 4)]
    assert "配合单位不能与牵头单位相同" in rows[("目标任务", 5)]
    assert "任务编号 9" in rows[("工作节点", 2)]
    assert "晚于任务完成时限" in rows[("工作节点", 4)]
    assert "扣分" in rows[("负面清单", 3)]
    assert (Plan.objects.count(), Task.objects.count(), Report.objects.count()) == before


def test_missing_sheet_header_or_wrong_file_type(office: Any) -> None:
    with pytest.raises(ValidationFailed, match="表头缺少列"):
        plan_import(
            actor=office,
            year=2031,
            title="",
            data=workbook(GOOD, heads=(["编号", "任务名称"], MS_HEAD, NEG_HEAD)),
            filename="p.xlsx",
        )
    with pytest.raises(ValidationFailed, match="无法读取"):
        plan_import(actor=office, year=2031, title="", data=b"not a zip", filename="p.xlsx")
    assert not Plan.objects.filter(year=2031).exists()


def test_only_the_office_imports_and_a_year_once(users: dict[str, Any], office: Any) -> None:
    with pytest.raises(PermissionDenied):
        plan_import(
            actor=users["unit_gaj"], year=2031, title="", data=workbook(GOOD), filename="p.xlsx"
        )
    with pytest.raises(PermissionDenied):
        plan_import(
            actor=users["yuzhong"], year=2031, title="", data=workbook(GOOD), filename="p.xlsx"
        )
    plan_import(actor=office, year=2031, title="", data=workbook(GOOD), filename="p.xlsx")
    with pytest.raises(ValidationFailed, match="已存在"):
        plan_import(actor=office, year=2031, title="", data=workbook(GOOD), filename="p.xlsx")


def test_import_page_lists_bad_rows(login: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = workbook([["1", "政治", "任务", "", -1, "市公安局", "", "", "2031-12-31"]])
    response = login("office_zfw").post(
        "/targets/import/",
        {"year": 2031, "title": "", "file": SimpleUploadedFile("bad.xlsx", bad)},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="import-errors"' in text and "分值须为大于 0 的数字" in text
    assert not Plan.objects.filter(year=2031).exists()


def test_import_page_is_refused_to_units(login: Any) -> None:
    assert login("unit_gaj").get("/targets/import/").status_code == 403


@pytest.mark.parametrize(
    ("text", "label", "due"),
    [
        ("3月", "3月", "2031-03-31"),
        ("2月底", "2月", "2031-02-28"),
        ("Q3", "三季度", "2031-09-30"),
        ("第二季度", "二季度", "2031-06-30"),
        ("上半年", "上半年", "2031-06-30"),
        ("全年", "全年", "2031-12-31"),
        ("2031/05/20", "05-20", "2031-05-20"),
        ("2031-11", "11月", "2031-11-30"),
    ],
)
def test_milestone_periods(text: str, label: str, due: str) -> None:
    got_label, got_due = milestone_due(text, 2031)
    assert (got_label, str(got_due)) == (label, due)


def test_milestone_period_nonsense() -> None:
    with pytest.raises(ValueError):
        milestone_due("年中某天", 2031)
