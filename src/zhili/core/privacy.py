"""Personal data: one way to mask it, one audited way to see it unmasked.

A module names the personal fields of its records by kind (``name``, ``phone``, ``id_number``,
``address``). Everyone sees them masked; a user who holds ``view_personal`` on the record's model
over its area may ask for them unmasked through ``reveal``, which writes an audit record in the
same transaction. Nothing else returns unmasked personal data to a page or the API (form prefills
included: they go through ``visible_value``, which masks for those without the right).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhili.core import labels
from zhili.core.audit import audit_record
from zhili.core.errors import ValidationFailed
from zhili.core.scoping import can, object_path, require


def personal_value(value: Any, label: str, limit: int) -> str:
    """A personal value as typed (trimmed, at most ``limit`` characters); a masked copy shown on
    a page ("135****5678", "张*") is refused, never stored over the real value."""
    text = str(value or "").strip()[:limit]
    if "*" in text:
        raise ValidationFailed(
            gettext("%(label)s含“*”，像是打码显示的值：请填写完整的%(label)s") % {"label": label},
            code="masked_value",
        )
    return text


def personal_phone(value: Any, label: str, limit: int = 32) -> str:
    """A phone number typed by staff: spaces dropped, digits with "-" and "+" only (an
    extension, a landline's area code), masked copies refused. A resident's own number on the
    public form is checked harder (``core.validation.phone_number``)."""
    text = personal_value("".join(str(value or "").split()), label, limit)
    if text and not text.replace("-", "").replace("+", "").isdigit():
        raise ValidationFailed(
            gettext("%(label)s只能包含数字") % {"label": label}, code="invalid_phone"
        )
    return text


def mask_name(value: str) -> str:
    value = value or ""
    return (value[0] + "*" * (len(value) - 1)) if value else ""


def mask_phone(value: str) -> str:
    value = value or ""
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else "*" * len(value)


def mask_id(value: str) -> str:
    value = value or ""
    return f"{value[:4]}**********{value[-4:]}" if len(value) >= 10 else "*" * len(value)


def mask_address(value: str) -> str:
    """Keep the first part (district, street) and hide the rest."""
    value = value or ""
    keep = min(6, len(value) // 2)
    return value[:keep] + ("*" * 4 if len(value) > keep else "")


MASKS = {"name": mask_name, "phone": mask_phone, "id_number": mask_id, "address": mask_address}


def mask(kind: str, value: str) -> str:
    return MASKS[kind](value)


# Mainland mobile numbers, landlines with an area code, and resident ID numbers inside free text.
_ID_IN_TEXT = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")


def mask_text(value: str) -> str:
    """Free text (a resident's comment) with the phone and ID numbers in it masked: text written
    by the public may carry them though the form asks not to."""
    value = _ID_IN_TEXT.sub(lambda m: mask_id(m.group()), value or "")
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(m.group()), value)


def may_see(actor: Any, obj: models.Model) -> bool:
    """May the actor see the personal data of ``obj`` unmasked (by asking for it)?"""
    return can(actor, "view_personal", type(obj), object_path(obj))


def masked(fields: Mapping[str, str], values: Mapping[str, str]) -> dict[str, str]:
    """``values`` masked by the kind ``fields`` gives each name."""
    return {name: mask(kind, values.get(name) or "") for name, kind in fields.items()}


def visible_value(actor: Any, obj: models.Model, kind: str, value: str) -> str:
    """One personal value as the actor may see it without an audited reveal: always masked.
    (Used where a page would copy personal data, e.g. a form prefilled from a matter.)"""
    return mask(kind, value)


@transaction.atomic
def reveal(
    *,
    actor: Any,
    obj: models.Model,
    rows: Iterable[Mapping[str, str]],
    what: str = "",
) -> list[dict[str, str]]:
    """The unmasked ``rows`` of personal data of ``obj`` for an actor with ``view_personal``; 404
    out of scope, 403 without the right; every reveal is one audit record."""
    require(actor, "view_personal", obj)
    out = [dict(r) for r in rows]
    audit_record(
        actor=actor,
        action="privacy.reveal",
        obj=obj,
        area_path=object_path(obj),
        after={"fields": sorted({k for r in out for k in r})},
        note=what,
    )
    return out


labels.register_audit({"privacy.reveal": _("查看个人信息")})
