"""Turning matters into output dicts, masking personal data for roles without the right."""

from __future__ import annotations

from typing import Any

from zhili.core import privacy
from zhili.matters.models import Category, Matter, MatterEvent
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


def _unit(u: Any) -> dict[str, Any] | None:
    return {"id": u.pk, "name": u.name} if u is not None else None


def matter_out(user: Any, m: Matter) -> dict[str, Any]:
    """Personal data is always masked here (core.privacy); unmasked only through the audited
    reveal (``services.matter_reveal_personal``)."""
    return {
        "number": m.number,
        "title": m.title,
        "description": m.description,
        "category": m.category.code,
        "category_name": m.category.name,
        "channel": m.channel,
        "status": m.status,
        "status_label": m.get_status_display(),
        "triage": m.triage,
        "area_code": m.area.code,
        "area_name": m.area.name,
        "address": m.address,
        "lat": m.lat,
        "lng": m.lng,
        "anonymous": m.anonymous,
        "reporter_name": privacy.mask_name(m.reporter_name),
        "reporter_phone": privacy.mask_phone(m.reporter_phone),
        "lead_unit": _unit(m.lead_unit),
        "suggested_unit": _unit(m.suggested_unit),
        "created_at": m.created_at,
        "due_at": m.due_at,
        "handle_due": m.handle_due,
        "overdue": m.overdue,
        "closed_at": m.closed_at,
        "solved": m.solved,
        "satisfied": m.satisfied,
        "merged_into": m.merged_into.number if m.merged_into else None,
        "version": m.version,
    }


def matter_detail_out(user: Any, m: Matter) -> dict[str, Any]:
    """One matter with the actions the user may take on it now (the page's buttons)."""
    from zhili.matters.selectors import matter_co_units

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
