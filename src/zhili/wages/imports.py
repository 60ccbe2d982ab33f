"""Reading the files banks and contractors deliver (xlsx or CSV): rosters, attendance, pay tables,
bank payment records and labour-cost deposits.

Every row of the file is checked and every bad row is reported with its row number; the caller
(``services.project_import``) writes only a file that read cleanly, so a bad file changes nothing.
Columns are found by their Chinese header, in any order; extra columns are ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from zhili.core.errors import ValidationFailed
from zhili.wages.models import ImportKind

MAX_ROWS = 100_000
MAX_ERRORS = 50

# kind -> [(key, header, required)]
COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    ImportKind.ROSTER: [
        ("name", "姓名", True),
        ("id_number", "身份证号", True),
        ("phone", "手机号", False),
        ("bank_account", "工资卡号", True),
        ("employer", "用工单位", True),
        ("trade", "工种", False),
        ("entered_on", "进场日期", True),
        ("left_on", "退场日期", False),
    ],
    ImportKind.ATTENDANCE: [
        ("id_number", "身份证号", True),
        ("month", "月份", True),
        ("days", "出勤天数", True),
    ],
    ImportKind.PAYTABLE: [
        ("id_number", "身份证号", True),
        ("month", "月份", True),
        ("amount", "应发工资", True),
        ("signed", "本人签字", True),
    ],
    ImportKind.BANK: [
        ("id_number", "身份证号", True),
        ("month", "工资所属月份", True),
        ("amount", "实发金额", True),
        ("paid_on", "代发日期", True),
        ("reference", "银行流水号", True),
    ],
    ImportKind.LABOUR: [
        ("amount", "拨付金额", True),
        ("paid_on", "拨付日期", True),
        ("reference", "银行流水号", True),
    ],
}

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"
ID_RE = re.compile(r"^\d{17}[\dX]$")
MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
YES = {"是", "已签", "已签字", "Y", "y", "1", "√", "TRUE", "true"}
NO = {"否", "未签", "未签字", "N", "n", "0", "×", "FALSE", "false", ""}


def id_number_valid(value: str) -> bool:
    """GB 11643: 17 digits and a check character."""
    if not ID_RE.match(value):
        return False
    total = sum(int(c) * w for c, w in zip(value[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == value[17]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime | dt.date):
        return dt.date(value.year, value.month, 1)
    m = MONTH_RE.match(_text(value))
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(gettext("月份应写作 2026-03"))
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(gettext("日期应写作 2026-03-15")) from None


def parse_amount(value: Any) -> Decimal:
    try:
        amount = Decimal(_text(value).replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError(gettext("金额应为数字")) from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12"):
        raise ValueError(gettext("金额应为不小于 0 的数字"))
    return amount.quantize(Decimal("0.01"))


def _id(value: Any) -> str:
    text = _text(value).upper()
    if not id_number_valid(text):
        raise ValueError(gettext("身份证号无效（18 位，校验位不符）"))
    return text


def _days(value: Any) -> int:
    try:
        days = int(Decimal(_text(value)))
    except (InvalidOperation, ValueError):
        raise ValueError(gettext("出勤天数应为整数")) from None
    if not 0 <= days <= 31:
        raise ValueError(gettext("出勤天数应在 0 到 31 之间"))
    return days


def _signed(value: Any) -> bool:
    text = _text(value)
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(gettext("本人签字应填“是”或“否”"))


def _bank_account(value: Any) -> str:
    text = re.sub(r"\s", "", _text(value))
    if not re.fullmatch(r"\d{12,30}", text):
        raise ValueError(gettext("工资卡号应为 12 到 30 位数字"))
    return text


def _phone(value: Any) -> str:
    text = _text(value)
    if text and not re.fullmatch(r"1\d{10}", text):
        raise ValueError(gettext("手机号应为 11 位数字"))
    return text


def _required_text(limit: int) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _text(value)
        if len(text) > limit:
            raise ValueError(gettext("不能超过 %(limit)s 个字") % {"limit": limit})
        return text

    return parse


PARSERS: dict[str, Callable[[Any], Any]] = {
    "name": _required_text(40),
    "id_number": _id,
    "phone": _phone,
    "bank_account": _bank_account,
    "employer": _required_text(120),
    "trade": _required_text(30),
    "entered_on": parse_date,
    "left_on": parse_date,
    "month": parse_month,
    "days": _days,
    "amount": parse_amount,
    "signed": _signed,
    "paid_on": parse_date,
    "reference": _required_text(40),
}


@dataclass
class Parsed:
    kind: str
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, row: int, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(
                gettext("第 %(row)s 行：%(message)s") % {"row": row, "message": message}
            )


def _table(data: bytes, filename: str) -> Iterator[list[Any]]:
    """The rows of the file's first sheet (xlsx) or of the CSV (UTF-8 or GBK)."""
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as e:  # any unreadable workbook is the user's file, never a 500
            raise ValidationFailed(
                gettext("无法读取该 xlsx 文件，请确认文件完好"), code="bad_file"
            ) from e
        for values in wb.worksheets[0].iter_rows(values_only=True):
            yield list(values)
        return
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed(
            gettext("无法识别文件编码，请另存为 UTF-8 CSV 或 xlsx"), code="bad_file"
        )
    if "\x00" in text:
        raise ValidationFailed(gettext("文件不是 CSV 或 xlsx 表格"), code="bad_file")
    yield from csv.reader(io.StringIO(text))


def read(kind: str, data: bytes, filename: str) -> Parsed:
    """Check every row of the file; the result holds the clean rows or the row-numbered errors."""
    if kind not in COLUMNS:
        raise ValidationFailed(gettext("导入类型无效"), code="invalid_kind")
    if not data:
        raise ValidationFailed(gettext("文件为空"), code="empty_file")
    columns = COLUMNS[kind]
    parsed = Parsed(kind)
    rows = _table(data, filename)
    header = next(rows, None)
    names = [_text(h) for h in (header or [])]
    missing = [h for _key, h, _req in columns if h not in names]
    if missing:
        raise ValidationFailed(
            gettext("表头缺少列：%(columns)s") % {"columns": "、".join(missing)},
            code="bad_header",
            detail={"missing": missing},
        )
    where = {key: names.index(h) for key, h, _req in columns}
    seen: dict[tuple[Any, ...], int] = {}
    for number, values in enumerate(rows, start=2):
        if not any(_text(v) for v in values):
            continue
        if len(parsed.rows) >= MAX_ROWS:
            raise ValidationFailed(
                gettext("一次最多导入 %(max)s 行") % {"max": MAX_ROWS}, code="too_many_rows"
            )
        row: dict[str, Any] = {}
        ok = True
        for key, header_name, required in columns:
            i = where[key]
            raw = values[i] if i < len(values) else None
            if not _text(raw) and key != "signed":
                if required:
                    ok = False
                    parsed.error(
                        number, gettext("“%(header_name)s”不能为空") % {"header_name": header_name}
                    )
                row[key] = None if key == "left_on" else ""
                continue
            try:
                row[key] = PARSERS[key](raw)
            except ValueError as e:
                ok = False
                parsed.error(number, f"“{header_name}”{e}")
        if ok:
            row_key = _row_key(kind, row)
            if row_key in seen:
                parsed.error(number, gettext("与第 %(row)s 行重复") % {"row": seen[row_key]})
            else:
                seen[row_key] = number
                parsed.rows.append((number, row))
    if not parsed.rows and not parsed.errors:
        raise ValidationFailed(gettext("文件没有数据行"), code="empty_file")
    return parsed


def _row_key(kind: str, row: dict[str, Any]) -> tuple[Any, ...]:
    if kind == ImportKind.ROSTER:
        return (row["id_number"],)
    if kind in (ImportKind.BANK, ImportKind.LABOUR):
        return (row["reference"],)
    return (row["id_number"], row["month"])


def template(kind: str) -> bytes:
    """An empty xlsx with the headers of ``kind`` (the page offers it for download)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = str(ImportKind(kind).label)
    ws.append([h for _k, h, _r in COLUMNS[kind]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
