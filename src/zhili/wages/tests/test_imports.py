"""Imports: row-numbered errors, all or nothing, the same file twice imports once, never a 500."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from zhili.core.errors import PermissionDenied, ValidationFailed
from zhili.testing.factories import GRID, user
from zhili.wages import services
from zhili.wages.imports import COLUMNS, id_number_valid
from zhili.wages.models import (
    Attendance,
    BankPayment,
    ImportBatch,
    RosterEntry,
    Worker,
)
from zhili.wages.tests.helpers import TODAY, card, csv_bytes, id_number, make_project, roster

pytestmark = pytest.mark.django_db


def counts():
    return (
        Worker.objects.count(),
        RosterEntry.objects.count(),
        Attendance.objects.count(),
        BankPayment.objects.count(),
        ImportBatch.objects.count(),
    )


def run(project, kind, data, filename="f.csv", actor="jiefangbei"):
    return services.project_import(
        actor=user(actor), project=project, kind=kind, data=data, filename=filename, today=TODAY
    )


def test_id_number_check_digit():
    assert id_number_valid(id_number(7))
    assert not id_number_valid(id_number(7)[:-1] + ("0" if id_number(7)[-1] != "0" else "1"))
    assert not id_number_valid("12345")


def test_roster_import_then_same_file_again_writes_nothing_new():
    p = make_project()
    rows = [
        [f"工人{i}", id_number(i), "13800000000", card(i), "某劳务公司", "木工", "2026-01-02", ""]
        for i in range(1, 4)
    ]
    data = csv_bytes("roster", rows)
    batch, new = run(p, "roster", data)
    assert new and batch.rows == 3
    before = counts()
    again, new_again = run(p, "roster", data)
    assert not new_again and again.pk == batch.pk
    assert counts() == before


def test_a_bad_row_refuses_the_whole_file_with_row_numbers():
    p = make_project()
    rows = [
        ["工人1", id_number(1), "", card(1), "某劳务公司", "", "2026-01-02", ""],
        ["工人2", "500103199001011235", "", card(2), "某劳务公司", "", "2026-01-02", ""],
        ["", id_number(3), "", "12ab", "某劳务公司", "", "2026/13/40", ""],
        ["工人4", id_number(4), "", card(4), "不相干公司", "", "2026-01-02", ""],
    ]
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        run(p, "roster", csv_bytes("roster", rows))
    errors = e.value.detail["errors"]
    assert any(x.startswith("第 3 行：“身份证号”") for x in errors)
    assert any(x.startswith("第 4 行：“姓名”不能为空") for x in errors)
    assert any(x.startswith("第 4 行：“工资卡号”") for x in errors)
    assert any(x.startswith("第 4 行：“进场日期”") for x in errors)
    assert counts() == before  # nothing, not even 工人1


def test_rows_valid_alone_but_wrong_for_the_project_also_refuse_the_file():
    p = make_project()
    rows = [["工人4", id_number(4), "", card(4), "不相干公司", "", "2026-01-02", ""]]
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        run(p, "roster", csv_bytes("roster", rows))
    assert e.value.detail["errors"] == ["第 2 行：用工单位“不相干公司”不是本项目的总承包或分包单位"]
    assert counts() == before


def test_attendance_of_someone_not_on_the_roster_is_refused():
    p = make_project()
    roster(p, 2)
    before = counts()
    data = csv_bytes("attendance", [[id_number(1), "2026-04", 20], [id_number(9), "2026-04", 20]])
    with pytest.raises(ValidationFailed) as e:
        run(p, "attendance", data)
    (err,) = e.value.detail["errors"]
    assert err.startswith("第 3 行：身份证号 5001") and "不在本项目实名制花名册中" in err
    assert id_number(9) not in err  # masked
    assert counts() == before


def test_duplicate_rows_and_bank_references_already_imported():
    p = make_project()
    roster(p, 2)
    dup = csv_bytes("attendance", [[id_number(1), "2026-04", 20], [id_number(1), "2026-04", 21]])
    with pytest.raises(ValidationFailed) as e:
        run(p, "attendance", dup)
    assert e.value.detail["errors"] == ["第 3 行：与第 2 行重复"]
    run(p, "bank", csv_bytes("bank", [[id_number(1), "2026-04", "5000", "2026-05-10", "R1"]]))
    other = csv_bytes("bank", [[id_number(2), "2026-04", "5000", "2026-05-10", "R1"]])
    with pytest.raises(ValidationFailed) as e:
        run(p, "bank", other)
    assert e.value.detail["errors"] == ["第 2 行：银行流水号 R1 已导入过"]
    assert BankPayment.objects.count() == 1


def test_a_corrected_attendance_file_replaces_the_month():
    p = make_project()
    roster(p, 1)
    run(p, "attendance", csv_bytes("attendance", [[id_number(1), "2026-04", 20]]))
    run(p, "attendance", csv_bytes("attendance", [[id_number(1), "2026年4月", 18]]))
    assert list(Attendance.objects.values_list("days", flat=True)) == [18]


def xlsx(kind, rows):
    wb = Workbook()
    ws = wb.active
    ws.append([h for _k, h, _r in COLUMNS[kind]])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_with_dates_and_numbers_as_cells():
    import datetime as dt

    p = make_project()
    roster(p, 1)
    data = xlsx(
        "bank", [[id_number(1), dt.datetime(2026, 4, 1), 5000.5, dt.datetime(2026, 5, 9), "R9"]]
    )
    batch, new = run(p, "bank", data, filename="代发.xlsx")
    assert new and batch.rows == 1
    pay = BankPayment.objects.get()
    assert str(pay.amount) == "5000.50" and pay.month == dt.date(2026, 4, 1)


@pytest.mark.parametrize(
    "data,name,code",
    [
        (b"", "a.csv", "empty_file"),
        (b"PK\x03\x04 not really a zip", "a.xlsx", "bad_file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a.csv", "bad_file"),
        ("姓名,身份证号\n张三,1\n".encode(), "a.csv", "bad_header"),
        ("身份证号,月份,出勤天数\n".encode("gbk"), "a.csv", "empty_file"),
    ],
)
def test_bad_files_are_clear_errors_not_crashes(data, name, code):
    p = make_project()
    before = counts()
    with pytest.raises(ValidationFailed) as e:
        run(p, "attendance", data, filename=name)
    assert e.value.code == code
    assert counts() == before


def test_import_needs_the_right_and_the_scope():
    from zhili.core.errors import NotFound

    p = make_project(where=GRID)  # the grid worker sees it, may not import
    data = csv_bytes("attendance", [[id_number(1), "2026-04", 20]])
    with pytest.raises(NotFound):
        run(p, "attendance", data, actor="wanzhou")
    with pytest.raises(PermissionDenied):
        run(p, "attendance", data, actor="grid_jfb_01")
