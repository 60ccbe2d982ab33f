"""The rule catalogue (积分规则): versions per area effective from a date, copied from a district or
city template, imported from and exported to xlsx (every bad row named, all or nothing).

A version is never edited: publishing writes a new version with its items, so a record keeps the
item (and so the version) it was recorded under.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from zhili.areas.models import Area
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed
from zhili.core.scoping import ancestor_paths, require_at
from zhili.points.models import Period, RuleItem, RuleVersion

COLUMNS = [
    ("code", "编号"),
    ("category", "类别"),
    ("name", "事项"),
    ("points", "分值"),
    ("cap", "周期上限"),
    ("cap_period", "上限周期"),
    ("evidence_required", "需要照片"),
    ("recorder", "记录人"),
    ("approver", "审核人"),
    ("veto", "一票否决"),
]
REQUIRED = ("编号", "事项", "分值")
# The Chinese words of the rule table (a file exchanged in Chinese whatever the interface language).
PERIOD_CHINESE = {Period.WEEK: "每周", Period.MONTH: "每月", Period.YEAR: "每年"}
PERIOD_WORDS = {word: value for value, word in PERIOD_CHINESE.items()} | {
    "周": Period.WEEK,
    "月": Period.MONTH,
    "年": Period.YEAR,
}
YES = {"是", "需要", "Y", "y", "yes", "1", "√"}
NO = {"否", "不需要", "N", "n", "no", "0", ""}
MAX_ITEMS = 500


@dataclass(frozen=True)
class ItemSpec:
    code: str
    name: str
    points: int
    category: str = ""
    cap: int | None = None
    cap_period: str = Period.MONTH
    evidence_required: bool = True
    recorder: str = "村组评分员"
    approver: str = "村务监督委员会"
    veto: bool = False


def version_in_force(area: Area, on: dt.date) -> RuleVersion | None:
    """The area's own version in force on a day (the latest effective on or before it)."""
    return (
        RuleVersion.objects.filter(area=area, is_template=False, effective_from__lte=on)
        .order_by("-effective_from", "-number")
        .first()
    )


def item_in_force(village: Area, code: str, on: dt.date) -> RuleItem | None:
    version = version_in_force(village, on)
    if version is None:
        return None
    return version.items.filter(code=code).first()


def _check(items: list[ItemSpec]) -> None:
    if not items:
        raise ValidationFailed(_("规则版本至少要有一条规则"), code="rules_empty")
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(_("一个版本最多%(n)d条规则") % {"n": MAX_ITEMS}, code="rules_many")
    seen: set[str] = set()
    for spec in items:
        if spec.code in seen:
            raise ValidationFailed(_("规则编号“%(c)s”重复") % {"c": spec.code}, code="rule_code")
        seen.add(spec.code)
        if spec.points == 0:
            raise ValidationFailed(_("规则“%(c)s”的分值不能为0") % {"c": spec.code}, code="points")


@transaction.atomic
def rules_publish(
    *,
    actor: Any,
    area: Area,
    effective_from: dt.date,
    items: list[ItemSpec],
    is_template: bool = False,
    note: str = "",
    copied_from: RuleVersion | None = None,
) -> RuleVersion:
    """Publish a new version of an area's catalogue, in force from ``effective_from``."""
    require_at(actor, "publish", RuleVersion, area.path, noun=_("积分规则"))
    _check(items)
    last = RuleVersion.objects.select_for_update().filter(area=area).order_by("-number").first()
    version = RuleVersion.objects.create(
        area=area,
        area_path=area.path,
        number=(last.number + 1) if last else 1,
        effective_from=effective_from,
        is_template=is_template,
        copied_from=copied_from,
        note=note[:200],
        published_by=actor if getattr(actor, "pk", None) else None,
    )
    RuleItem.objects.bulk_create(
        RuleItem(version=version, **{k: getattr(spec, k) for k, _label in COLUMNS})
        for spec in items
    )
    audit_record(
        actor=actor,
        action="points.rules_publish",
        obj=version,
        after={"number": version.number, "effective_from": effective_from, "items": len(items)},
    )
    return version


def templates_for(area: Area) -> list[RuleVersion]:
    """The templates an area may copy: those published by one of its ancestors."""
    paths = [p for p in ancestor_paths(area.path) if p != area.path]
    return list(
        RuleVersion.objects.filter(is_template=True, area_path__in=paths)
        .select_related("area")
        .order_by("area_path", "-number")
    )


def specs_of(version: RuleVersion) -> list[ItemSpec]:
    return [
        ItemSpec(**{k: getattr(item, k) for k, _label in COLUMNS})
        for item in version.items.order_by("code")
    ]


def rules_copy(
    *, actor: Any, template: RuleVersion, area: Area, effective_from: dt.date
) -> RuleVersion:
    """A village adopts a district's or the city's template as its own new version (an
    ancestor's template is readable by whoever may publish below it)."""
    if not template.is_template or not area.path.startswith(template.area_path):
        raise ValidationFailed(_("只能复制上级发布的模板"), code="template")
    return rules_publish(
        actor=actor,
        area=area,
        effective_from=effective_from,
        items=specs_of(template),
        copied_from=template,
        note=f"复制自{template.area.name}第{template.number}版",  # stored
    )


# -- xlsx -----------------------------------------------------------------------------------------


def rules_export(version: RuleVersion) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "积分规则"
    ws.append([label for _k, label in COLUMNS])
    for spec in specs_of(version):
        ws.append(
            [
                spec.code,
                spec.category,
                spec.name,
                spec.points,
                spec.cap,
                PERIOD_CHINESE[Period(spec.cap_period)],
                "是" if spec.evidence_required else "否",
                spec.recorder,
                spec.approver,
                "是" if spec.veto else "否",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(value: Any) -> int | None:
    text = cell_text(value)
    if not text:
        return None
    try:
        return int(text.lstrip("+"))
    except ValueError:
        return None


def rules_read(data: bytes) -> list[ItemSpec]:
    """Read a filled workbook; every bad row is reported with its row number, nothing half-read."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any unreadable upload is the user's error, never a 500
        raise ValidationFailed(_("无法读取该文件，请上传 xlsx 格式的规则表"), code="xlsx") from exc
    ws = wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    if not rows:
        raise ValidationFailed(_("规则表是空的"), code="xlsx_empty")
    head = [cell_text(h) for h in rows[0]]
    missing = [h for h in REQUIRED if h not in head]
    if missing:
        raise ValidationFailed(
            _("第1行缺少列：%(m)s") % {"m": "、".join(missing)}, code="xlsx_columns"
        )
    where = {key: head.index(label) for key, label in COLUMNS if label in head}
    errors: list[dict[str, Any]] = []
    specs: list[ItemSpec] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows[1:], start=2):
        cells = {k: (raw[i] if i < len(raw) else None) for k, i in where.items()}
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        problems = []
        code, name = cell_text(cells.get("code")), cell_text(cells.get("name"))
        points = _int(cells.get("points"))
        if not code:
            problems.append(_("编号为空"))
        elif code in seen:
            problems.append(_("编号与第%(r)d行重复") % {"r": seen[code]})
        if not name:
            problems.append(_("事项为空"))
        if points is None or points == 0:
            problems.append(_("分值须为非零整数（扣分写负数）"))
        cap_text = cell_text(cells.get("cap"))
        cap = _int(cap_text) if cap_text else None
        if cap_text and (cap is None or cap <= 0):
            problems.append(_("周期上限须为正整数"))
        period = PERIOD_WORDS.get(cell_text(cells.get("cap_period")) or "每月")
        if period is None:
            problems.append(_("上限周期须为每周、每月或每年"))
        flags = {}
        for key, default in (("evidence_required", True), ("veto", False)):
            word = cell_text(cells.get(key))
            if word == "" and key not in where:
                flags[key] = default
            elif word in YES:
                flags[key] = True
            elif word in NO:
                flags[key] = False if word or key == "veto" else default
            else:
                problems.append(_("“%(w)s”应填“是”或“否”") % {"w": word})
        if problems:
            errors.append({"row": number, "errors": problems})
            continue
        seen[code] = number
        specs.append(
            ItemSpec(
                code=code,
                name=name,
                points=points or 0,
                category=cell_text(cells.get("category")),
                cap=cap,
                cap_period=period or Period.MONTH,
                evidence_required=flags["evidence_required"],
                recorder=cell_text(cells.get("recorder")) or "村组评分员",
                approver=cell_text(cells.get("approver")) or "村务监督委员会",
                veto=flags["veto"],
            )
        )
    if errors:
        lines = "；".join(
            _("第%(row)s行：%(errors)s") % {"row": e["row"], "errors": "，".join(e["errors"])}
            for e in errors[:20]
        )
        raise ValidationFailed(
            _("规则表有%(n)d行错误，未导入任何规则：%(l)s") % {"n": len(errors), "l": lines},
            code="xlsx_rows",
            detail=errors,
        )
    _check(specs)
    return specs


def rules_import(
    *, actor: Any, area: Area, effective_from: dt.date, data: bytes, is_template: bool = False
) -> RuleVersion:
    require_at(actor, "import", RuleVersion, area.path, noun=_("积分规则"))
    return rules_publish(
        actor=actor,
        area=area,
        effective_from=effective_from,
        items=rules_read(data),
        is_template=is_template,
        note="由规则表导入",  # stored: Chinese whatever the language
    )


def versions_of(area: Area) -> Any:
    return RuleVersion.objects.filter(Q(area=area)).order_by("-effective_from", "-number")
