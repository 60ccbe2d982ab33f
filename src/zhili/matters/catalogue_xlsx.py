"""The whole catalogue as an xlsx workbook: a sheet of categories and a sheet of routing rules.

Import checks every row first and reports each bad one with its sheet and spreadsheet row number;
nothing is written unless the whole file is clean. Rows are matched by code (categories) and by
category + area code (rules): present ones are updated, new ones created, absent ones left alone.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from zhili.areas.models import Area
from zhili.core.audit import audit_record, snapshot
from zhili.core.errors import ValidationFailed, ZhiliError
from zhili.matters import catalogue
from zhili.matters.models import STAGES, Category, HandlingMode, RoutingRule

CATEGORY_SHEET, RULE_SHEET = "分类", "派单规则"
CATEGORY_COLUMNS = [
    ("code", "代码"),
    ("name", "名称"),
    ("parent", "所属大类代码"),
    ("topic", "五事"),
    ("handling_mode", "四事四办"),
    ("limit_dispatch", "立案派遣时限"),
    ("limit_sign", "签收时限"),
    ("limit_contact", "联系群众时限"),
    ("limit_handle", "办结时限"),
    ("hint", "填报提示"),
    ("questions", "补充问题"),
    ("allow_anonymous", "允许匿名"),
    ("is_active", "启用"),
    ("order", "排序"),
]
RULE_COLUMNS = [
    ("category", "分类代码"),
    ("area", "区域代码"),
    ("unit", "单位名称"),
    ("unit_area", "单位所属区域代码"),
    ("area_name", "区域名称"),
]
REQUIRED = {
    CATEGORY_SHEET: ["代码", "名称"],
    RULE_SHEET: ["分类代码", "区域代码", "单位名称"],
}
YES, NO = (
    ("是", "1", "true", "yes", "y", "√"),
    ("否", "0", "false", "no", "n", ""),
)
MAX_ROWS = 5000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportErrors(ValidationFailed):
    code = "import_errors"


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rules: int = 0

    def __str__(self) -> str:
        return gettext("新增分类 %(created)s 个，更新 %(updated)s 个，派单规则 %(rules)s 条") % {
            "created": len(self.created),
            "updated": len(self.updated),
            "rules": self.rules,
        }


# Export ----------------------------------------------------------------------------------------


def catalogue_export(user: Any) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    catalogue.require_view(user)
    wb = Workbook()
    ws = wb.active
    ws.title = CATEGORY_SHEET
    ws.append([label for _, label in CATEGORY_COLUMNS])
    for group, children in catalogue.category_tree(user):
        for c in (group, *children):
            limits = c.limits or {}
            ws.append(
                [
                    c.code,
                    c.name,
                    c.parent.code if c.parent is not None else "",
                    c.get_topic_display(),
                    c.get_handling_mode_display(),
                    *(catalogue.limit_text(limits[s]) if limits.get(s) else "" for s in STAGES),
                    c.hint,
                    json.dumps(c.questions, ensure_ascii=False) if c.questions else "",
                    "是" if c.allow_anonymous else "否",
                    "是" if c.is_active else "否",
                    c.order,
                ]
            )
    rules = wb.create_sheet(RULE_SHEET)
    rules.append([label for _, label in RULE_COLUMNS])
    for r in catalogue.routing_rule_list(user).select_related("unit__area"):
        rules.append([r.category.code, r.area.code, r.unit.name, r.unit.area.code, r.area.name])
    for sheet in (ws, rules):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# Reading ---------------------------------------------------------------------------------------


def _sheet_rows(wb: Any, name: str, index: int, columns: list[tuple[str, str]]) -> list[Any]:
    """(row number, {key: value}) for each non-empty row of a sheet; [] if the sheet is absent."""
    if name in wb.sheetnames:
        ws = wb[name]
    elif len(wb.worksheets) > index:
        ws = wb.worksheets[index]
    else:
        return []
    rows = ws.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, [])]
    missing = [label for label in REQUIRED[name] if label not in header]
    if missing:
        raise ValidationFailed(
            gettext("“%(title)s”表头缺少列：%(value)s（请以导出的文件为模板）")
            % {"title": ws.title, "value": "、".join(missing)},
            code="invalid_header",
        )
    keys = {label: key for key, label in columns}
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append(
            (number, {keys[h]: v for h, v in zip(header, values, strict=False) if h in keys})
        )
        if len(out) > MAX_ROWS:
            raise ValidationFailed(
                gettext("每张表最多 %(MAX_ROWS)s 行") % {"MAX_ROWS": MAX_ROWS}, code="too_many_rows"
            )
    return out


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _flag(value: Any, label: str, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return default if text == "" else False
    raise ValidationFailed(
        gettext("%(label)s须填“是”或“否”") % {"label": label}, code="invalid_flag"
    )


def _questions(value: Any) -> list[Any]:
    text = _text(value)
    if not text:
        return []
    try:
        return list(json.loads(text)) if text.startswith("[") else [json.loads(text)]
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            gettext("补充问题须为 JSON（以导出文件中的写法为准）"), code="invalid_questions"
        ) from exc


def _category_row(row: dict[str, Any], group_topic: str | None) -> dict[str, Any]:
    parent = _text(row.get("parent"))
    data = {
        "code": _text(row.get("code")),
        "name": _text(row.get("name")),
        "topic": _text(row.get("topic")) or group_topic or "",
        "handling_mode": _text(row.get("handling_mode")) or HandlingMode.TIMED,
        "limits": {s: catalogue.parse_limit(row.get(f"limit_{s}"), s) for s in STAGES},
        "hint": _text(row.get("hint")),
        "questions": _questions(row.get("questions")),
        "allow_anonymous": _flag(row.get("allow_anonymous"), gettext("允许匿名"), False),
        "is_active": _flag(row.get("is_active"), gettext("启用"), True),
        "order": row.get("order") or 0,
    }
    if not data["topic"]:
        raise ValidationFailed(gettext("五事不能为空"), code="required")
    clean = catalogue.clean_fields(data, is_group=not parent)
    clean["parent"] = parent or None
    return clean


# Import ----------------------------------------------------------------------------------------


@dataclass
class _Plan:
    categories: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rules: list[tuple[int, str, Area, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    leaves: set[str] = field(default_factory=set)  # category codes after the import (not groups)

    def error(self, sheet: str, row: int, code: str, message: str) -> None:
        self.errors.append({"sheet": sheet, "row": row, "code": code, "message": message})


def _plan_categories(plan: _Plan, rows: list[Any], existing: dict[str, Category]) -> None:
    raw_groups = {
        _text(r.get("code")): r for _, r in rows if not _text(r.get("parent")) and r.get("code")
    }
    seen: dict[str, int] = {}
    for number, row in rows:
        code = _text(row.get("code"))
        try:
            if code in seen:
                raise ValidationFailed(gettext("代码与第 %(seen)s 行重复") % {"seen": seen[code]})
            seen[code] = number
            parent_code = _text(row.get("parent"))
            group = raw_groups.get(parent_code)
            topic = _text(group.get("topic")) if group else None
            if topic is None and parent_code in existing:
                topic = existing[parent_code].topic
            data = _category_row(row, topic)
            old = existing.get(code)
            if old is not None and (old.parent_id is None) != (data["parent"] is None):
                raise ValidationFailed(gettext("不能通过导入改变大类与分类的层级，请在页面上修改"))
            plan.categories.append((number, data))
        except ZhiliError as exc:
            plan.error(CATEGORY_SHEET, number, code, exc.message)
    # Parents are checked against the catalogue as it will be after the import.
    final = {c: (o.parent_id is None, o.is_active, o.name) for c, o in existing.items()}
    final.update(
        {d["code"]: (d["parent"] is None, d["is_active"], d["name"]) for _, d in plan.categories}
    )
    for number, data in plan.categories:
        parent = data["parent"]
        if parent is None:
            continue
        if parent not in final:
            plan.error(
                CATEGORY_SHEET,
                number,
                data["code"],
                gettext("所属大类代码 %(parent)s 不存在") % {"parent": parent},
            )
        elif not final[parent][0]:
            plan.error(
                CATEGORY_SHEET,
                number,
                data["code"],
                gettext("%(parent)s 不是大类") % {"parent": parent},
            )
        elif data["is_active"] and not final[parent][1]:
            plan.error(
                CATEGORY_SHEET,
                number,
                data["code"],
                gettext("所属大类“%(name)s”已停用") % {"name": final[parent][2]},
            )
    plan.leaves = {c for c, (is_group, _, _) in final.items() if not is_group}


def _plan_rules(plan: _Plan, rows: list[Any]) -> None:
    codes = {_text(r.get("area")) for _, r in rows}
    areas = {a.code: a for a in Area.objects.filter(code__in=codes)}
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows:
        category, area_code = _text(row.get("category")), _text(row.get("area"))
        try:
            if category not in plan.leaves:
                raise ValidationFailed(
                    gettext("分类代码 %(category)s 不存在或是大类") % {"category": category}
                )
            area = areas.get(area_code)
            if area is None:
                raise ValidationFailed(
                    gettext("区域代码 %(area_code)s 不存在") % {"area_code": area_code}
                )
            if not area.is_current:
                raise ValidationFailed(
                    gettext("区域 %(name)s（%(area_code)s）已撤销")
                    % {"name": area.name, "area_code": area_code}
                )
            if (category, area_code) in seen:
                raise ValidationFailed(
                    gettext("与第 %(seen)s 行重复") % {"seen": seen[(category, area_code)]}
                )
            seen[(category, area_code)] = number
            unit = catalogue.unit_by_name(_text(row.get("unit")), _text(row.get("unit_area")), area)
            plan.rules.append((number, category, area, unit))
        except ZhiliError as exc:
            plan.error(RULE_SHEET, number, category, exc.message)


def _read(data: bytes) -> tuple[list[Any], list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ValidationFailed(
            gettext("无法读取该文件，请上传 .xlsx 格式的表格"), code="invalid_file"
        ) from exc
    try:
        return (
            _sheet_rows(wb, CATEGORY_SHEET, 0, CATEGORY_COLUMNS),
            _sheet_rows(wb, RULE_SHEET, 1, RULE_COLUMNS),
        )
    finally:
        wb.close()


@transaction.atomic
def catalogue_import(*, actor: Any, data: bytes, filename: str = "catalogue.xlsx") -> ImportSummary:
    """Upsert the catalogue from a workbook in the export's layout: all rows or none."""
    catalogue._require_change(actor)
    if not filename.lower().endswith(".xlsx"):
        raise ValidationFailed(gettext("只支持 .xlsx 文件"), code="invalid_file")
    category_rows, rule_rows = _read(data)
    if not category_rows and not rule_rows:
        raise ValidationFailed(gettext("文件中没有数据行"), code="empty")
    existing = {c.code: c for c in Category.objects.all()}
    plan = _Plan()
    _plan_categories(plan, category_rows, existing)
    _plan_rules(plan, rule_rows)
    if plan.errors:
        raise ImportErrors(
            gettext("%(len)s 行有错误，未导入任何数据") % {"len": len(plan.errors)},
            detail=sorted(plan.errors, key=lambda e: (e["sheet"] != CATEGORY_SHEET, e["row"])),
        )
    summary = _apply(actor, plan, existing)
    audit_record(
        actor=actor,
        action="category.import",
        object_type="matters.category",
        object_id=filename[:64],
        object_repr=f"{filename}：{summary}",
        after={"created": summary.created, "updated": summary.updated, "rules": summary.rules},
    )
    return summary


def _apply(actor: Any, plan: _Plan, existing: dict[str, Category]) -> ImportSummary:
    summary = ImportSummary()
    by_code = dict(existing)
    ordered = sorted(plan.categories, key=lambda item: item[1]["parent"] is not None)
    for _, data in ordered:
        fields = {k: v for k, v in data.items() if k not in ("code", "parent")}
        parent = by_code[data["parent"]] if data["parent"] else None
        old = by_code.get(data["code"])
        if old is None:
            by_code[data["code"]] = catalogue.category_create(
                actor=actor, code=data["code"], parent=parent, **fields
            )
            summary.created.append(data["code"])
            continue
        before = snapshot(old, catalogue.FIELDS)
        by_code[data["code"]] = catalogue.category_update(
            actor=actor, category=old, parent=parent, **fields
        )
        if snapshot(by_code[data["code"]], catalogue.FIELDS) != before:
            summary.updated.append(data["code"])
    for _, code, area, unit in plan.rules:
        rule = RoutingRule.objects.filter(category=by_code[code], area=area).first()
        if rule is None or rule.unit_id != unit.pk:
            catalogue.routing_rule_set(actor=actor, category=by_code[code], area=area, unit=unit)
            summary.rules += 1
    return summary
