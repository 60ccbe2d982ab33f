"""The plan workbook: the template the system offers, and reading a filled one.

Reading validates every row of every sheet and reports every bad row with its sheet and row number;
``services.plan_import`` writes only a workbook that read cleanly, so a bad file changes nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from zhili.areas.models import Area, Level
from zhili.core.errors import ValidationFailed
from zhili.org.models import Unit
from zhili.targets.models import Effect, Method

TASK_SHEET, MILESTONE_SHEET, NEGATIVE_SHEET, HELP_SHEET = (
    "目标任务",
    "工作节点",
    "负面清单",
    "填写说明",
)
TASK_COLUMNS = [
    ("number", "编号"),
    ("method", "治理方式"),
    ("title", "任务名称"),
    ("requirement", "工作要求"),
    ("weight", "分值"),
    ("lead", "牵头单位"),
    ("co", "配合单位"),
    ("districts", "适用区县"),
    ("deadline", "完成时限"),
]
MILESTONE_COLUMNS = [
    ("task", "任务编号"),
    ("when", "节点"),
    ("requirement", "节点要求"),
    ("evidence", "佐证材料"),
]
NEGATIVE_COLUMNS = [
    ("number", "编号"),
    ("title", "名称"),
    ("trigger", "触发情形"),
    ("effect", "处理方式"),
    ("points", "扣分"),
]
REQUIRED = {
    TASK_SHEET: ["编号", "治理方式", "任务名称", "分值", "牵头单位", "完成时限"],
    MILESTONE_SHEET: ["任务编号", "节点"],
    NEGATIVE_SHEET: ["编号", "名称", "触发情形", "处理方式"],
}
METHOD_WORDS = {label: value for value, label in Method.choices} | {
    f"{label}治": value for value, label in Method.choices if not label.endswith("治")
}
EFFECT_WORDS = {"扣分": Effect.DEDUCT, "一票否决": Effect.VETO, "否决": Effect.VETO}
ALL_DISTRICTS = {"全部", "全市", "全部区县", "各区县"}
SPLIT = re.compile(r"[、，,；;\s]+")
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
MAX_TASKS = 2000


@dataclass
class MilestoneRow:
    label: str
    due: dt.date
    requirement: str
    evidence: str


@dataclass
class TaskRow:
    row: int
    number: str
    method: str
    title: str
    requirement: str
    weight: Decimal
    lead: Unit
    co: list[Unit]
    districts: list[Area]
    deadline: dt.date
    milestones: list[MilestoneRow] = field(default_factory=list)


@dataclass
class NegativeRow:
    number: str
    title: str
    trigger: str
    effect: str
    points: Decimal


@dataclass
class PlanDraft:
    year: int
    tasks: list[TaskRow]
    negatives: list[NegativeRow]


class ImportErrors(ValidationFailed):
    code = "import_errors"


# The template --------------------------------------------------------------------------------


def template_xlsx(year: int | None = None) -> bytes:
    """The plan template: one sheet per part, one example row each, and the rules in words."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    year = year or dt.date.today().year
    wb = Workbook()
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F2")
    examples = {
        TASK_SHEET: (
            TASK_COLUMNS,
            [
                "1",
                "政治",
                "健全市域社会治理领导体制",
                "成立由党委主要负责同志任组长的领导小组，每季度召开专题会议",
                2,
                "市委政法委（市域社会治理办）",
                "市民政局、市司法局",
                "全部",
                f"{year}-12-31",
            ],
            [8, 10, 36, 48, 8, 28, 28, 28, 14],
        ),
        MILESTONE_SHEET: (
            MILESTONE_COLUMNS,
            ["1", "一季度", "印发领导小组组成和工作规则", "文件扫描件"],
            [10, 12, 40, 30],
        ),
        NEGATIVE_SHEET: (
            NEGATIVE_COLUMNS,
            ["F1", "发生重大群体性事件", "因工作不力发生 50 人以上群体性事件", "一票否决", ""],
            [8, 28, 48, 12, 8],
        ),
    }
    first = True
    for title, (columns, example, widths) in examples.items():
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append([label for _, label in columns])
        ws.append(example)
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width
            cell = ws.cell(row=1, column=i)
            cell.font, cell.fill = head_font, head_fill
        ws.freeze_panes = "A2"
    tasks, negatives = wb[TASK_SHEET], wb[NEGATIVE_SHEET]
    methods = DataValidation(
        type="list", formula1='"政治,自治,法治,德治,智治,综治"', allow_blank=False
    )
    tasks.add_data_validation(methods)
    methods.add("B2:B2000")
    effects = DataValidation(type="list", formula1='"扣分,一票否决"', allow_blank=False)
    negatives.add_data_validation(effects)
    effects.add("D2:D200")
    help_ws = wb.create_sheet(HELP_SHEET)
    for line in HELP_LINES:
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 110
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HELP_LINES = [
    "考核方案导入模板（打表推进）",
    "“目标任务”：每行一项任务。编号唯一；治理方式为 政治、自治、法治、德治、智治、综治 之一；分值为正数。",
    "牵头单位、配合单位填写系统中已有的单位名称，配合单位可填多个，用顿号或逗号分隔。",
    "适用区县填写区县名称（多个用顿号分隔），或填“全部”；留空表示只由单位承担。",
    "完成时限为日期（如 2021-12-31）。",
    "“工作节点”：每行一个节点。节点可写 3月、一季度、上半年、全年 或具体日期；节点要求和佐证材料说明该节点要交什么。",
    "某项任务没有节点时，系统按完成时限自动设一个节点。节点期限不得晚于完成时限。",
    "“负面清单”：处理方式为 扣分 或 一票否决；扣分时须填扣分分值。",
    "上传时任何一行有错，整份文件都不会导入，并列出每个出错的行号。",
]


# Reading -------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if not m:
        raise ValueError(text)
    y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    return dt.date(y, mo, d)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def milestone_due(value: Any, year: int) -> tuple[str, dt.date]:
    """(label, due date) from 3月 / 2021-03 / 一季度 / Q2 / 上半年 / 全年 / a date."""
    if isinstance(value, dt.date | dt.datetime):
        day = _date(value)
        return f"{day:%m-%d}", day
    text = _text(value).replace(" ", "")
    if m := re.fullmatch(r"(\d{1,2})月(?:底|末)?", text):
        month = int(m.group(1))
        if 1 <= month <= 12:
            return f"{month}月", _month_end(year, month)
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        y, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return f"{month}月" if y == year else f"{y}年{month}月", _month_end(y, month)
    if m := re.fullmatch(r"(?:第?([一二三四1234])季度|[Qq]([1-4]))(?:末)?", text):
        q = QUARTERS[m.group(1) or m.group(2)]
        return f"{'一二三四'[q - 1]}季度", _month_end(year, q * 3)
    if text in ("上半年", "年中"):
        return "上半年", _month_end(year, 6)
    if text in ("全年", "年底", "年末", "下半年"):
        return text, _month_end(year, 12)
    try:
        day = _date(text)
    except ValueError:
        raise ValueError(text) from None
    return f"{day:%m-%d}", day


def _header(ws: Any, sheet: str, columns: list[tuple[str, str]]) -> dict[int, str]:
    first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    header = [_text(c) for c in first]
    missing = [label for label in REQUIRED[sheet] if label not in header]
    if missing:
        raise ValidationFailed(
            gettext("“%(sheet)s”表头缺少列：%(missing)s（请使用系统提供的模板）")
            % {"sheet": sheet, "missing": gettext("、").join(missing)},
            code="invalid_header",
        )
    keys = {label: key for key, label in columns}
    return {i: keys[h] for i, h in enumerate(header) if h in keys}


def _rows(ws: Any, index: dict[int, str]) -> list[tuple[int, dict[str, Any]]]:
    out = []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if values is None or all(_text(v) == "" for v in values):
            continue
        out.append(
            (number, {key: values[i] if i < len(values) else None for i, key in index.items()})
        )
    return out


class Lookups:
    """Units and districts by name, loaded once per import."""

    def __init__(self, root: Area) -> None:
        self.units: dict[str, list[Unit]] = {}
        for u in Unit.objects.filter(is_active=True).select_related("area"):
            self.units.setdefault(u.name, []).append(u)
        self.root = root
        self.districts = {
            a.name: a for a in Area.objects.current().filter(level=Level.DISTRICT, parent=root)
        }

    def unit(self, name: str) -> Unit:
        found = self.units.get(name, [])
        at_root = [u for u in found if u.area_id == self.root.pk]
        if len(at_root) == 1:
            return at_root[0]
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(gettext("单位“%(name)s”不存在") % {"name": name})
        raise ValueError(gettext("有多个名为“%(name)s”的单位，请改用唯一的名称") % {"name": name})

    def district_list(self, text: str) -> list[Area]:
        if text in ALL_DISTRICTS:
            return sorted(self.districts.values(), key=lambda a: a.code)
        out, unknown = [], []
        for name in (n for n in SPLIT.split(text) if n):
            area = self.districts.get(name)
            (out.append(area) if area else unknown.append(name))
        if unknown:
            raise ValueError(
                gettext("区县“%(unknown)s”不存在或已撤销")
                % {"unknown": gettext("、").join(unknown)}
            )
        return out


def _task_row(n: int, raw: dict[str, Any], look: Lookups, problems: list[str]) -> TaskRow | None:
    number = _text(raw.get("number"))
    title = _text(raw.get("title"))
    if not number:
        problems.append(gettext("编号不能为空"))
    elif len(number) > 16:
        problems.append(gettext("编号不能超过 16 个字符"))
    if not title:
        problems.append(gettext("任务名称不能为空"))
    elif len(title) > 200:
        problems.append(gettext("任务名称不能超过 200 字"))
    method = METHOD_WORDS.get(_text(raw.get("method")))
    if method is None:
        problems.append(gettext("治理方式须为 政治、自治、法治、德治、智治、综治 之一"))
    weight = None
    try:
        weight = Decimal(_text(raw.get("weight")))
        if not weight.is_finite() or weight <= 0 or weight >= 10000:
            raise InvalidOperation
        weight = weight.quantize(Decimal("0.01"))
    except InvalidOperation:
        problems.append(gettext("分值须为大于 0 的数字"))
        weight = None
    lead = co = districts = None
    try:
        lead_name = _text(raw.get("lead"))
        if not lead_name:
            raise ValueError(gettext("牵头单位不能为空"))
        lead = look.unit(lead_name)
    except ValueError as exc:
        problems.append(str(exc))
    try:
        co = [look.unit(name) for name in SPLIT.split(_text(raw.get("co"))) if name]
        if lead is not None and any(u.pk == lead.pk for u in co):
            raise ValueError(gettext("配合单位不能与牵头单位相同"))
        if len({u.pk for u in co}) != len(co):
            raise ValueError(gettext("配合单位有重复"))
    except ValueError as exc:
        problems.append(str(exc))
    try:
        districts = look.district_list(_text(raw.get("districts")))
        if len({a.pk for a in districts}) != len(districts):
            raise ValueError(gettext("适用区县有重复"))
    except ValueError as exc:
        problems.append(str(exc))
    deadline = None
    try:
        deadline = _date(raw.get("deadline"))
    except (ValueError, TypeError):
        problems.append(gettext("完成时限须为日期，如 2021-12-31"))
    if problems:
        return None
    assert method and weight is not None and lead and co is not None and districts is not None
    assert deadline is not None
    return TaskRow(
        row=n,
        number=number,
        method=method,
        title=title,
        requirement=_text(raw.get("requirement")),
        weight=weight,
        lead=lead,
        co=co,
        districts=districts,
        deadline=deadline,
    )


def _negative_row(raw: dict[str, Any], problems: list[str]) -> NegativeRow | None:
    number, title, trigger = (_text(raw.get(k)) for k in ("number", "title", "trigger"))
    if not number:
        problems.append(gettext("编号不能为空"))
    if not title:
        problems.append(gettext("名称不能为空"))
    if not trigger:
        problems.append(gettext("触发情形不能为空"))
    effect = EFFECT_WORDS.get(_text(raw.get("effect")))
    points = Decimal(0)
    if effect is None:
        problems.append(gettext("处理方式须为“扣分”或“一票否决”"))
    elif effect == Effect.DEDUCT:
        try:
            points = Decimal(_text(raw.get("points")))
            if not points.is_finite() or points <= 0 or points > 100:
                raise InvalidOperation
        except InvalidOperation:
            problems.append(gettext("扣分须为 0 到 100 之间的正数"))
    if problems:
        return None
    assert effect is not None
    return NegativeRow(
        number=number,
        title=title,
        trigger=trigger,
        effect=effect,
        points=points.quantize(Decimal("0.01")),
    )


def read_workbook(data: bytes, *, year: int, root: Area) -> PlanDraft:
    """Parse and validate a filled template; raise ImportErrors listing every bad row."""
    from openpyxl import load_workbook

    if len(data) > settings.ZHILI_MAX_IMPORT_BYTES:
        raise ValidationFailed(gettext("文件过大"), code="file_too_large")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            gettext("无法读取该文件，请上传 .xlsx 格式的方案模板"), code="invalid_file"
        ) from exc
    for sheet in (TASK_SHEET, MILESTONE_SHEET, NEGATIVE_SHEET):
        if sheet not in wb.sheetnames:
            raise ValidationFailed(
                gettext("缺少工作表“%(sheet)s”（请使用系统提供的模板）") % {"sheet": sheet},
                code="invalid_header",
            )
    look = Lookups(root)
    errors: list[dict[str, Any]] = []

    def fail(sheet: str, row: int, name: str, problems: list[str]) -> None:
        errors.append({"sheet": sheet, "row": row, "name": name, "message": "；".join(problems)})

    tasks: dict[str, TaskRow] = {}
    task_rows = _rows(wb[TASK_SHEET], _header(wb[TASK_SHEET], TASK_SHEET, TASK_COLUMNS))
    if len(task_rows) > MAX_TASKS:
        raise ValidationFailed(
            gettext("一份方案最多 %(max_tasks)s 项任务") % {"max_tasks": MAX_TASKS},
            code="too_many_rows",
        )
    for n, raw in task_rows:
        problems: list[str] = []
        row = _task_row(n, raw, look, problems)
        number = _text(raw.get("number"))
        if number and number in tasks:
            problems.append(
                gettext("编号 %(number)s 与第 %(row)s 行重复")
                % {"number": number, "row": tasks[number].row}
            )
        if problems or row is None:
            fail(TASK_SHEET, n, number or _text(raw.get("title")), problems)
        else:
            tasks[number] = row
    bad_numbers = {e["name"] for e in errors}
    ms_rows = _rows(
        wb[MILESTONE_SHEET], _header(wb[MILESTONE_SHEET], MILESTONE_SHEET, MILESTONE_COLUMNS)
    )
    for n, raw in ms_rows:
        problems = []
        number = _text(raw.get("task"))
        task = tasks.get(number)
        if task is None and number not in bad_numbers:
            problems.append(
                gettext("任务编号 %(number)s 在“目标任务”中不存在")
                % {"number": number or gettext("（空）")}
            )
        try:
            label, due = milestone_due(raw.get("when"), year)
        except ValueError:
            problems.append(gettext("节点须为 3月、一季度、上半年、全年 或日期"))
            label, due = "", dt.date(year, 1, 1)
        if task is not None and not problems:
            if due > task.deadline:
                problems.append(
                    gettext("节点期限 %(due)s 晚于任务完成时限 %(deadline)s")
                    % {"due": due, "deadline": task.deadline}
                )
            if due.year < year:
                problems.append(
                    gettext("节点期限 %(due)s 早于考核年度 %(year)s 年")
                    % {"due": due, "year": year}
                )
            if any(m.due == due for m in task.milestones):
                problems.append(
                    gettext("任务 %(number)s 已有期限为 %(due)s 的节点")
                    % {"number": number, "due": due}
                )
        if problems:
            fail(MILESTONE_SHEET, n, number, problems)
        elif task is not None:
            task.milestones.append(
                MilestoneRow(
                    label=label,
                    due=due,
                    requirement=_text(raw.get("requirement")),
                    evidence=_text(raw.get("evidence")),
                )
            )
    negatives: dict[str, NegativeRow] = {}
    neg_rows = _rows(
        wb[NEGATIVE_SHEET], _header(wb[NEGATIVE_SHEET], NEGATIVE_SHEET, NEGATIVE_COLUMNS)
    )
    for n, raw in neg_rows:
        problems = []
        neg = _negative_row(raw, problems)
        if neg is not None and neg.number in negatives:
            problems.append(gettext("编号 %(number)s 重复") % {"number": neg.number})
        if problems or neg is None:
            fail(NEGATIVE_SHEET, n, _text(raw.get("number")) or _text(raw.get("title")), problems)
        else:
            negatives[neg.number] = neg
    for task in tasks.values():
        if task.deadline.year < year:
            fail(
                TASK_SHEET,
                task.row,
                task.number,
                [gettext("完成时限早于考核年度 %(year)s 年") % {"year": year}],
            )
    if errors:
        errors.sort(
            key=lambda e: (
                [TASK_SHEET, MILESTONE_SHEET, NEGATIVE_SHEET].index(e["sheet"]),
                e["row"],
            )
        )
        raise ImportErrors(
            gettext("%(errors_count)s 行有错误，未导入任何数据") % {"errors_count": len(errors)},
            detail=errors,
        )
    if not tasks:
        raise ValidationFailed(gettext("“目标任务”中没有数据行"), code="empty")
    for task in tasks.values():
        if not task.milestones:
            task.milestones.append(
                MilestoneRow(
                    label="完成时限", due=task.deadline, requirement="完成全部任务", evidence=""
                )
            )
        task.milestones.sort(key=lambda m: m.due)
    return PlanDraft(year=year, tasks=list(tasks.values()), negatives=list(negatives.values()))
