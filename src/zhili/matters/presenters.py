"""Turning matters into output dicts, masking personal data for roles without the right."""

from __future__ import annotations

from typing import Any

from zhili.core import privacy
from zhili.core.fields import choice_label
from zhili.matters.models import Category, Matter, MatterEvent
from zhili.matters.selectors import ROW_FIELDS, matter_co_units
from zhili.matters.workflow import allowed_actions, label


def category_out(c: Category) -> dict[str, Any]:
    return {
        "code": c.code,
        "name": c.name,
        "group": c.parent.name if c.parent else None,
        "topic": c.topic,
        "topic_label": c.get_topic_display(),
        "handling_mode": c.handling_mode,
        "handling_mode_label": c.get_handling_mode_display(),
        "limits": {s: list(c.limit(s)) for s in ("dispatch", "sign", "contact", "handle")},
        "hint": c.hint,
        "questions": c.questions or [],
        "allow_anonymous": c.allow_anonymous,
    }


# A matter as the lists and the API show it: one flat row (selectors.ROW_FIELDS), read either from
# a model instance (matter_row) or straight from the database (selectors.matter_rows, no model
# built, for a page of 50). row_out turns either into the API's dict.
_STATUS = Matter._meta.get_field("status")


def matter_row(m: Matter) -> dict[str, Any]:
    """``m`` as the row ``values(*ROW_FIELDS)`` reads."""
    row: dict[str, Any] = {}
    for name in ROW_FIELDS:
        obj: Any = m
        parts = name.split("__")
        for part in parts:
            obj = getattr(obj, part) if obj is not None else None
        row[name] = obj
    return row


def _unit(pk: int | None, name: str | None) -> dict[str, Any] | None:
    return {"id": pk, "name": name} if pk is not None else None


def row_out(r: dict[str, Any]) -> dict[str, Any]:
    """A row (matter_row or selectors.matter_rows) as the API shows it. Personal data is always
    masked here (core.privacy); unmasked only through the audited reveal
    (``services.matter_reveal_personal``)."""
    return {
        "number": r["number"],
        "title": r["title"],
        "description": r["description"],
        "category": r["category__code"],
        "category_name": r["category__name"],
        "channel": r["channel"],
        "status": r["status"],
        "status_label": choice_label(_STATUS, r["status"]),
        "triage": r["triage"],
        "area_code": r["area__code"],
        "area_name": r["area__name"],
        "address": r["address"],
        "lat": r["lat"],
        "lng": r["lng"],
        "anonymous": r["anonymous"],
        "reporter_name": privacy.mask_name(r["reporter_name"]),
        "reporter_phone": privacy.mask_phone(r["reporter_phone"]),
        "lead_unit": _unit(r["lead_unit_id"], r["lead_unit__name"]),
        "suggested_unit": _unit(r["suggested_unit_id"], r["suggested_unit__name"]),
        "created_at": r["created_at"],
        "due_at": r["due_at"],
        "handle_due": r["handle_due"],
        "overdue": r["overdue"],
        "closed_at": r["closed_at"],
        "solved": r["solved"],
        "satisfied": r["satisfied"],
        "merged_into": r["merged_into__number"],
        "version": r["version"],
    }


def matter_out(user: Any, m: Matter) -> dict[str, Any]:
    """One matter as the API shows it (see row_out)."""
    return row_out(matter_row(m))


def matter_detail_out(user: Any, m: Matter) -> dict[str, Any]:
    """One matter with the actions the user may take on it now (the page's buttons)."""
    co_units = [
        {"id": cu.unit_id, "name": cu.unit.name, "reported_at": cu.reported_at, "report": cu.report}
        for cu in matter_co_units(m)
    ]
    actions = [{"action": a, "label": label(a)} for a in allowed_actions(user, m)]
    return {
        **matter_out(user, m),
        "actions": actions,
        "co_units": co_units,
        "sampled": m.sampled,
        "spot_check": m.spot_check,
    }


def event_out(e: MatterEvent) -> dict[str, Any]:
    return {
        "action": e.action,
        "label": e.label,
        "summary": e.summary,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "from_label": e.from_label,
        "to_label": e.to_label,
        "actor": e.actor_name,
        "actor_display": e.actor_display,
        "unit": e.unit.name if e.unit else None,
        "at": e.at,
        "note": e.note,
        "data": e.data,
        "attachments": [a.sha256 for a in e.attachments.all()],
    }
