"""The category catalogue (诉求分类目录): the shipped default, reads and the administrators' writes.

Two levels: groups (parent=None) and the categories residents choose under them. The catalogue is
city-wide: whoever may view categories anywhere sees all of it; only a grant of
``matters.category.change`` at the city root may change it. xlsx import/export is in
``catalogue_xlsx``; both go through the validation here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from zhili.areas.models import Area
from zhili.core import labels
from zhili.core.audit import audit_record, diff, root_path, snapshot
from zhili.core.errors import NotFound, PermissionDenied, ValidationFailed
from zhili.core.i18n import Label
from zhili.core.scoping import can, has_any
from zhili.matters.models import (
    STAGE_LABELS,
    STAGES,
    Category,
    HandlingMode,
    Matter,
    RoutingRule,
    Topic,
    default_limit,
)
from zhili.matters.questions import validate_definitions

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"


def default_catalogue() -> list[dict[str, Any]]:
    """Rows (group first, then its children) of the shipped catalogue."""
    doc = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    rows: list[dict[str, Any]] = []
    order = 0
    for group in doc["groups"]:
        order += 10
        rows.append(
            {
                "code": group["code"],
                "name": group["name"],
                "parent": None,
                "topic": group["topic"],
                "handling_mode": "timed",
                "order": order,
            }
        )
        for child in group["children"]:
            order += 1
            rows.append(
                {
                    "code": child["code"],
                    "name": child["name"],
                    "parent": group["code"],
                    "topic": child.get("topic", group["topic"]),
                    "handling_mode": child.get("mode", "timed"),
                    "hint": child.get("hint", ""),
                    "questions": child.get("questions", []),
                    "allow_anonymous": child.get("allow_anonymous", False),
                    "order": order,
                }
            )
    return rows


def install_default(category_model: Any) -> int:
    """Create the default categories that are missing (by code); returns how many were created."""
    created = 0
    by_code: dict[str, Any] = {}
    for row in default_catalogue():
        parent_code = row.pop("parent")
        row["parent"] = by_code.get(parent_code) if parent_code else None
        obj, was_created = category_model.objects.get_or_create(code=row["code"], defaults=row)
        by_code[obj.code] = obj
        created += was_created
    return created


# Time limits -----------------------------------------------------------------------------------

LIMIT_UNITS = {"wd": gettext_lazy("个工作日"), "h": gettext_lazy("小时")}
LIMIT_MAX = {"wd": 365, "h": 24 * 30}
_LIMIT_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(wd|h|个?工作日|小时)\s*$", re.IGNORECASE)


def limit_text(value: list[Any] | tuple[Any, ...]) -> str:
    """[5, "wd"] → "5wd" (the form and the spreadsheet write limits this way)."""
    number = float(value[0])
    return f"{int(number) if number.is_integer() else number}{value[1]}"


def limit_label(value: list[Any] | tuple[Any, ...]) -> str:
    number = float(value[0])
    return f"{int(number) if number.is_integer() else number} {LIMIT_UNITS[str(value[1])]}"


def parse_limit(text: Any, stage: str = "") -> list[Any] | None:
    """ "5wd", "5 个工作日", "24h", "24小时" → [5, "wd"] / [24, "h"]; blank → None (the default)."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        return None
    match = _LIMIT_RE.match(raw)
    label = STAGE_LABELS.get(stage, stage)
    if not match:
        raise ValidationFailed(
            gettext("%(label)s时限“%(raw)s”无效，请写成如 5wd（工作日）或 24h（小时）")
            % {"label": label, "raw": raw},
            code="invalid_limit",
        )
    unit = "h" if match.group(2).lower() in ("h", "小时") else "wd"
    return _limit_value(float(match.group(1)), unit, label)


def _limit_value(number: float, unit: str, label: Label) -> list[Any]:
    if unit == "wd" and not number.is_integer():
        raise ValidationFailed(
            gettext("%(label)s时限的工作日须为整数") % {"label": label}, code="invalid_limit"
        )
    if not 0 < number <= LIMIT_MAX[unit]:
        raise ValidationFailed(
            gettext("%(label)s时限须大于 0 且不超过 %(LIMIT_MAX)s %(LIMIT_UNITS)s")
            % {"label": label, "LIMIT_MAX": LIMIT_MAX[unit], "LIMIT_UNITS": LIMIT_UNITS[unit]},
            code="invalid_limit",
        )
    return [int(number) if number.is_integer() else number, unit]


def clean_limits(limits: Any) -> dict[str, list[Any]]:
    """Per-stage overrides ``{"handle": [5, "wd"]}``; stages left out use the mode's default."""
    if limits in (None, ""):
        return {}
    if not isinstance(limits, dict):
        raise ValidationFailed(
            gettext('时限须为对象，如 {"handle": [5, "wd"]}'), code="invalid_limit"
        )
    clean: dict[str, list[Any]] = {}
    for stage, value in limits.items():
        if stage not in STAGES:
            raise ValidationFailed(
                gettext("未知的环节“%(stage)s”") % {"stage": stage}, code="invalid_limit"
            )
        if value in (None, "", []):
            continue
        if isinstance(value, str):
            parsed = parse_limit(value, stage)
        elif isinstance(value, list | tuple) and len(value) == 2 and value[1] in LIMIT_UNITS:
            try:
                number = float(value[0])
            except (TypeError, ValueError):
                number = -1.0
            parsed = _limit_value(number, str(value[1]), STAGE_LABELS[stage])
        else:
            raise ValidationFailed(
                gettext('%(STAGE_LABELS)s时限须为 [数值, "wd" 或 "h"]')
                % {"STAGE_LABELS": STAGE_LABELS[stage]},
                code="invalid_limit",
            )
        if parsed:
            clean[stage] = parsed
    return clean


def effective_limits(category: Category) -> list[dict[str, Any]]:
    """Each stage's limit as shown to administrators: value, and whether it overrides the mode."""
    own = category.limits or {}
    return [
        {
            "stage": stage,
            "label": STAGE_LABELS[stage],
            "value": limit_label(category.limit(stage)),
            "default": limit_label(default_limit(category.handling_mode, stage)),
            "overridden": bool(own.get(stage)),
        }
        for stage in STAGES
    ]


# Field validation (shared by the pages, the API and the xlsx import) ---------------------------

RESERVED_CODES = {"new", "rules", "import", "export.xlsx"}  # page addresses under categories/
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
FIELDS = [
    "code",
    "name",
    "parent_id",
    "topic",
    "handling_mode",
    "limits",
    "hint",
    "questions",
    "allow_anonymous",
    "is_active",
    "order",
]


def choice_value(value: Any, choices: type[Topic] | type[HandlingMode], label: str) -> str:
    """A choice given by its code ("safety") or its Chinese label ("平安稳定")."""
    text = str(value or "").strip()
    for code, name in choices.choices:
        if text in (code, name):
            return str(code)
    raise ValidationFailed(
        gettext("%(label)s“%(text)s”无效，可选：%(value)s")
        % {"label": label, "text": text, "value": "、".join(str(n) for _, n in choices.choices)},
        code="invalid_choice",
    )


def clean_fields(data: dict[str, Any], *, is_group: bool) -> dict[str, Any]:
    """Check and normalise the plain fields of a category (no database reads)."""
    code = str(data.get("code") or "").strip()
    if not _CODE_RE.match(code):
        raise ValidationFailed(
            gettext("代码须为 1–40 位字母、数字、连字符或下划线，以字母或数字开头"),
            code="invalid_code",
        )
    if code in RESERVED_CODES:
        raise ValidationFailed(
            gettext("“%(code)s”是保留字，不能用作代码") % {"code": code}, code="invalid_code"
        )
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(gettext("名称不能为空"), code="required")
    if len(name) > 60:
        raise ValidationFailed(gettext("名称不能超过 60 个字"), code="too_long")
    hint = str(data.get("hint") or "").strip()
    if len(hint) > 2000:
        raise ValidationFailed(gettext("填报提示不能超过 2000 个字"), code="too_long")
    questions = validate_definitions(data.get("questions") or [])
    if is_group and questions:
        raise ValidationFailed(
            gettext("大类不能设置补充问题（请设在其下的分类上）"), code="invalid_questions"
        )
    try:
        order = int(data.get("order") or 0)
    except (TypeError, ValueError):
        order = -1
    if not 0 <= order <= 1_000_000:
        raise ValidationFailed(gettext("排序须为不小于 0 的整数"), code="invalid_order")
    return {
        "code": code,
        "name": name,
        "topic": choice_value(data.get("topic"), Topic, gettext("五事")),
        "handling_mode": choice_value(
            data.get("handling_mode") or HandlingMode.TIMED, HandlingMode, gettext("四事四办")
        ),
        "limits": clean_limits(data.get("limits")),
        "hint": hint,
        "questions": questions,
        "allow_anonymous": bool(data.get("allow_anonymous", False)),
        "is_active": bool(data.get("is_active", True)),
        "order": order,
    }


# Reads -----------------------------------------------------------------------------------------


def require_view(user: Any) -> None:
    if not has_any(user, Category, "view"):
        raise PermissionDenied(gettext("没有查看诉求分类目录的权限"))


def can_change(user: Any) -> bool:
    """Changing the catalogue is a city-level right (a grant at the root area)."""
    return can(user, "change", Category, root_path())


def category_visible(user: Any) -> QuerySet[Category]:
    return Category.objects.visible_to(user).select_related("parent")


def category_tree(user: Any) -> list[tuple[Category, list[Category]]]:
    """Groups in order, each with its categories (inactive ones included, for administrators)."""
    rows = list(category_visible(user).order_by("order", "code"))
    children: dict[int, list[Category]] = {}
    for c in rows:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    return [(g, children.get(g.pk, [])) for g in rows if g.parent_id is None]


def category_get(user: Any, code: str) -> Category:
    found = category_visible(user).filter(code=code).first()
    if found is None:
        raise NotFound(gettext("分类 %(code)s 不存在") % {"code": code}, code="category_not_found")
    return found


def group_choices(user: Any) -> QuerySet[Category]:
    return category_visible(user).filter(parent__isnull=True).order_by("order", "code")


def routing_rule_list(user: Any, *, category: Category | None = None) -> QuerySet[RoutingRule]:
    if not has_any(user, Category, "view"):
        return RoutingRule.objects.none()
    qs = RoutingRule.objects.select_related("category", "area", "unit")
    if category is not None:
        qs = qs.filter(category=category)
    return qs.order_by("category__order", "category__code", "area__path")


def rule_counts(user: Any) -> dict[int, int]:
    """Number of routing rules per category id."""
    from django.db.models import Count

    rows = routing_rule_list(user).order_by().values("category_id").annotate(n=Count("id"))
    return {r["category_id"]: r["n"] for r in rows}


def routing_rule_get(user: Any, pk: int) -> RoutingRule:
    found = routing_rule_list(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(gettext("派单规则不存在"), code="rule_not_found")
    return found


# Writes ----------------------------------------------------------------------------------------


def _require_change(actor: Any) -> None:
    if not has_any(actor, Category, "view"):
        raise NotFound(gettext("诉求分类目录不存在或您无权查看"))
    if not can_change(actor):
        raise PermissionDenied(gettext("只有市级管理员可以修改诉求分类目录"))


def _parent(parent: Category | None, *, instance: Category | None) -> Category | None:
    if parent is None:
        return None
    parent = Category.objects.get(pk=parent.pk)  # its current state, not the caller's copy
    if instance is not None and parent.pk == instance.pk:
        raise ValidationFailed(gettext("分类不能以自身为大类"), code="invalid_parent")
    if parent.parent_id is not None:
        raise ValidationFailed(
            gettext("“%(name)s”不是大类，只能选择大类") % {"name": parent.name},
            code="invalid_parent",
        )
    return parent


@transaction.atomic
def category_create(
    *,
    actor: Any,
    code: str,
    name: str,
    topic: str,
    parent: Category | None = None,
    handling_mode: str = HandlingMode.TIMED,
    limits: dict[str, Any] | None = None,
    hint: str = "",
    questions: list[dict[str, Any]] | None = None,
    allow_anonymous: bool = False,
    is_active: bool = True,
    order: int = 0,
) -> Category:
    """新增大类 (parent=None) or 分类 under a group."""
    _require_change(actor)
    parent = _parent(parent, instance=None)
    data = clean_fields(
        {
            "code": code,
            "name": name,
            "topic": topic,
            "handling_mode": handling_mode,
            "limits": limits,
            "hint": hint,
            "questions": questions,
            "allow_anonymous": allow_anonymous,
            "is_active": is_active,
            "order": order,
        },
        is_group=parent is None,
    )
    if Category.objects.filter(code=data["code"]).exists():
        raise ValidationFailed(
            gettext("代码“%(data)s”已被使用") % {"data": data["code"]}, code="duplicate_code"
        )
    if parent is not None and data["is_active"] and not parent.is_active:
        raise ValidationFailed(
            gettext("大类“%(name)s”已停用，请先启用大类") % {"name": parent.name},
            code="parent_inactive",
        )
    category = Category.objects.create(parent=parent, **data)
    audit_record(
        actor=actor, action="category.create", obj=category, after=snapshot(category, FIELDS)
    )
    return category


@transaction.atomic
def category_update(
    *,
    actor: Any,
    category: Category,
    name: str,
    topic: str,
    parent: Category | None = None,
    handling_mode: str = HandlingMode.TIMED,
    limits: dict[str, Any] | None = None,
    hint: str = "",
    questions: list[dict[str, Any]] | None = None,
    allow_anonymous: bool = False,
    is_active: bool = True,
    order: int = 0,
) -> Category:
    """Change a category; its code stays (the API, imports and history refer to it)."""
    _require_change(actor)
    category = Category.objects.select_for_update().get(pk=category.pk)
    parent = _parent(parent, instance=category)
    data = clean_fields(
        {
            "code": category.code,
            "name": name,
            "topic": topic,
            "handling_mode": handling_mode,
            "limits": limits,
            "hint": hint,
            "questions": questions,
            "allow_anonymous": allow_anonymous,
            "is_active": is_active,
            "order": order,
        },
        is_group=parent is None,
    )
    was_group = category.parent_id is None
    if was_group and parent is not None and category.children.exists():
        raise ValidationFailed(
            gettext("大类“%(name)s”下还有分类，不能改为其他大类的下级") % {"name": category.name},
            code="invalid_parent",
        )
    if not was_group and parent is None and Matter.objects.filter(category=category).exists():
        raise ValidationFailed(
            gettext("已有诉求使用“%(name)s”，不能把它改为大类") % {"name": category.name},
            code="invalid_parent",
        )
    if parent is not None and data["is_active"] and not parent.is_active:
        raise ValidationFailed(
            gettext("大类“%(name)s”已停用，请先启用大类") % {"name": parent.name},
            code="parent_inactive",
        )
    before = snapshot(category, FIELDS)
    category.parent = parent
    for key, value in data.items():
        setattr(category, key, value)
    category.save()
    if parent is None and not data["is_active"]:
        for child in category.children.filter(is_active=True):
            child_before = snapshot(child, FIELDS)
            child.is_active = False
            child.save(update_fields=["is_active"])
            b, a = diff(child_before, snapshot(child, FIELDS))
            audit_record(
                actor=actor,
                action="category.update",
                obj=child,
                before=b,
                after=a,
                note=f"随大类“{category.name}”停用",
            )
    b, a = diff(before, snapshot(category, FIELDS))
    if a:
        audit_record(actor=actor, action="category.update", obj=category, before=b, after=a)
    return category


def unit_by_name(name: str, unit_area: str, area: Area) -> Any:
    """An active unit by name (and optionally the code of its area). Without the area code, a
    name shared by several units resolves to the one nearest above the rule's area."""
    from zhili.org.models import Unit

    name = (name or "").strip()
    if not name:
        raise ValidationFailed(gettext("单位名称不能为空"), code="invalid_unit")
    units = list(Unit.objects.filter(name=name, is_active=True).select_related("area"))
    if unit_area:
        units = [u for u in units if u.area.code == unit_area]
    elif len(units) > 1:
        above = [u for u in units if area.path.startswith(u.area.path)]
        deepest = max((u.area.depth for u in above), default=None)
        units = [u for u in above if u.area.depth == deepest]
    if not units:
        where = gettext("（区域 %(unit_area)s）") % {"unit_area": unit_area} if unit_area else ""
        raise ValidationFailed(
            gettext("找不到启用中的单位“%(name)s”%(where)s") % {"name": name, "where": where},
            code="invalid_unit",
        )
    if len(units) > 1:
        raise ValidationFailed(
            gettext("有多个名为“%(name)s”的单位，请填写单位所属区域代码") % {"name": name},
            code="invalid_unit",
        )
    return units[0]


def _rule_inputs(category: Category, area: Area, unit: Any) -> None:
    if category.parent_id is None:
        raise ValidationFailed(
            gettext("派单规则须设在具体分类上，不能设在大类上"), code="invalid_category"
        )
    if area is None or not area.is_current:
        raise ValidationFailed(gettext("请选择现行区域"), code="invalid_area")
    if unit is None or not unit.is_active:
        raise ValidationFailed(gettext("请选择启用中的单位"), code="invalid_unit")


@transaction.atomic
def routing_rule_set(*, actor: Any, category: Category, area: Area, unit: Any) -> RoutingRule:
    """派单规则: matters of ``category`` in ``area``'s subtree go to ``unit`` (deepest area wins).
    One rule per (category, area): setting it again replaces the unit."""
    _require_change(actor)
    _rule_inputs(category, area, unit)
    rule = RoutingRule.objects.select_for_update().filter(category=category, area=area).first()
    if rule is not None and rule.unit_id == unit.pk:
        return rule
    before = {"unit": rule.unit_id} if rule else None
    if rule is None:
        rule = RoutingRule.objects.create(category=category, area=area, unit=unit)
    else:
        rule.unit = unit
        rule.save(update_fields=["unit"])
    audit_record(
        actor=actor,
        action="routing_rule.set",
        obj=rule,
        area_path=area.path,
        before=before,
        after={"category": category.code, "area": area.code, "unit": unit.pk},
    )
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: Any, rule: RoutingRule) -> None:
    _require_change(actor)
    audit_record(
        actor=actor,
        action="routing_rule.delete",
        obj=rule,
        area_path=rule.area.path,
        before={"category": rule.category.code, "area": rule.area.code, "unit": rule.unit_id},
    )
    rule.delete()


labels.register_audit(
    {
        "category.create": _("诉求分类 · 新增"),
        "category.update": _("诉求分类 · 修改"),
        "category.import": _("诉求分类 · 导入"),
        "routing_rule.set": _("派单规则 · 设置"),
        "routing_rule.delete": _("派单规则 · 删除"),
    }
)
