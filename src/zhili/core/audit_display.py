"""An audit record as a person reads it: the action's label, the object type's name, and what
changed as (field label, value) pairs. Keys are labelled by the model field's verbose_name (choice
codes by their display names) or by the registry (``labels.register_audit_fields``); a key with
neither is a bug, as a missing action label is (an error under tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels

# Keys records of any type may hold (beyond their model's fields).
labels.register_audit_fields(
    "",
    {
        "note": _("说明"),
        "comment": _("意见"),
        "days": _("天数"),
        "to": _("转至"),
        "files": _("附件"),
        "on": _("日期"),
        "fields": _("涉及信息"),
        "id": _("记录号"),
        "created_at": _("创建时间"),
        "updated_at": _("更新时间"),
        "user": _("用户"),
        "area": _("区域"),
        "category": _("分类"),
        "unit": _("单位"),
        "task": _("任务"),
        "item": _("事项"),
        "name": _("姓名"),
        "phone": _("电话"),
        "id_number": _("身份证号"),
        "address": _("地址"),
    },
)

YES, NO, EMPTY, OTHER = _("是"), _("否"), "—", _("其他信息")
MAX_ITEMS = 20


def object_model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = object_model(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    return labels.missing(f"no model for audit object type {object_type!r}", str(OTHER))


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    found: Any
    try:
        found = model._meta.get_field(key)
    except FieldDoesNotExist:
        found = next((f for f in model._meta.concrete_fields if f.attname == key), None)
    return found if isinstance(found, models.Field) else None


def _written(verbose_name: Any) -> bool:
    """Whether the field's verbose_name was written for people (Chinese in the platform's
    language), whatever language the request reads it in."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return labels.is_readable(str(verbose_name))


def field_label(object_type: str, key: str) -> str:
    """The label of a before/after key: registered for the object type, else the model field's
    verbose_name (when it is Chinese), else registered for all types."""
    label = labels.audit_field_label(object_type, key, common=False)
    if label is None:
        field = _field(object_model(object_type), key)
        if field is not None and _written(field.verbose_name):
            label = str(field.verbose_name)
    if label is None:
        label = labels.audit_field_label("", key, common=False)
    if label is None:
        return labels.missing(
            f"no label for key {key!r} of audit records of {object_type!r}", str(OTHER)
        )
    return label


def value_display(
    field: models.Field | None, value: Any, codes: Mapping[str, Any] | None = None
) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return str(YES if value else NO)
    if isinstance(value, list):
        if any(isinstance(v, list) for v in value):  # rows: one per line
            rows = [
                " ".join(value_display(None, c) for c in (v if isinstance(v, list) else [v]))
                for v in value[:MAX_ITEMS]
            ]
            return "；".join(rows) + (
                gettext(" 等 %(len)s 项") % {"len": len(value)} if len(value) > MAX_ITEMS else ""
            )
        shown = [value_display(field, v, codes) for v in value[:MAX_ITEMS]]
        more = gettext(" 等 %(len)s 项") % {"len": len(value)} if len(value) > MAX_ITEMS else ""
        return "、".join(shown) + more
    if isinstance(value, dict):
        return str(_("（%(n)d 项数据）") % {"n": len(value)})
    if codes is None and field is not None and field.choices:
        codes = {str(k): v for k, v in field.flatchoices}
    if codes is not None:
        return str(codes.get(str(value), value))
    if field is not None and field.many_to_one and isinstance(value, int):
        name_of = labels.audit_reference(field.related_model._meta.label_lower)  # type: ignore[union-attr]
        name = name_of(value) if name_of is not None else None
        if name:
            return name
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            return localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return value
    return str(value)


def change_rows(object_type: str, values: Any) -> list[tuple[str, str]]:
    """``{"status": "closed"}`` of a matter -> ``[("状态", "已办结")]``."""
    if values is None or values == {}:
        return []
    if not isinstance(values, dict):
        return [(str(_("内容")), value_display(None, values))]
    model = object_model(object_type)
    rows = []
    for key, value in values.items():
        field = _field(model, key)
        if key == "fields" and isinstance(value, list):  # the names of revealed fields
            shown = "、".join(field_label(object_type, str(v)) for v in value)
            rows.append((field_label(object_type, key), shown or EMPTY))
            continue
        codes = labels.audit_field_choices(object_type, key)
        rows.append((field_label(object_type, key), value_display(field, value, codes)))
    return rows
