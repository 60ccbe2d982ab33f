from __future__ import annotations

from typing import Any

from zhili.risks.models import Risk
from zhili.risks.selectors import can_see_personal


def mask_id(value: str) -> str:
    return f"{value[:4]}**********{value[-4:]}" if len(value) >= 10 else ("*" * len(value))


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}" if len(value) >= 7 else ("*" * len(value))


def risk_out(user: Any, r: Risk, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": r.number,
        "title": r.title,
        "category": r.category,
        "source": r.source,
        "status": r.status,
        "status_label": r.get_status_display(),
        "level": r.level,
        "area_code": r.area.code,
        "area_name": r.area.name,
        "address": r.address,
        "matter": r.matter.number if r.matter else None,
        "dispute": r.dispute.number if r.dispute else None,
        "responsible_unit": r.responsible_unit.name if r.responsible_unit else None,
        "handle_due": r.handle_due,
        "next_review": r.next_review,
        "escalated_to": r.escalated_to.code if r.escalated_to else None,
    }
    if detail:
        personal = False  # unmasked only through the audited reveal in the page
        out["description"] = r.description
        out["elements"] = [
            {
                "kind": e.kind,
                "name": e.name,
                "id_number": e.id_number if personal else mask_id(e.id_number),
                "phone": e.phone if personal else mask_phone(e.phone),
                "detail": e.detail,
            }
            for e in r.elements.all()
        ]
        out["assessments"] = [
            {
                "kind": a.kind,
                "likelihood": a.likelihood,
                "impact": a.impact,
                "level": a.level,
                "confidence": a.confidence,
                "stability_tests": a.stability_tests,
                "at": a.at,
            }
            for a in r.assessments.all()
        ]
        out["measures"] = [
            {"text": m.text, "owner": m.owner.username, "due": m.due, "done": m.done_at is not None}
            for m in r.measures.all()
        ]
        out["events"] = [
            {"action": e.action, "actor": e.actor_name, "at": e.at, "note": e.note, "data": e.data}
            for e in r.events.all()
        ]
        out["can_see_personal"] = can_see_personal(user, r)
    return out
