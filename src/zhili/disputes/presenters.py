from __future__ import annotations

from typing import Any

from zhili.disputes.models import Dispute
from zhili.risks.presenters import mask_id, mask_phone


def dispute_out(user: Any, d: Dispute, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": d.number,
        "channel": d.channel,
        "channel_label": d.get_channel_display(),
        "subject": d.subject,
        "status": d.status,
        "status_label": d.get_status_display(),
        "area_code": d.area.code,
        "area_name": d.area.name,
        "amount": str(d.amount) if d.amount is not None else None,
        "committee": d.committee.name if d.committee else None,
        "mediator": d.mediator.display_name if d.mediator else None,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "extended_days": d.extended_days,
        "agreed_at": d.agreed_at,
        "confirmation_due": d.confirmation_due,
        "confirmed_at": d.confirmed_at,
        "closed_at": d.closed_at,
        "returned_to": d.returned_to,
        "follow_up_due": d.follow_up_due,
        "matter": d.matter.number if d.matter else None,
        "escalation_signs": d.escalation_signs,
    }
    if detail:
        out["facts"] = d.facts
        out["parties"] = [
            {
                "role": p.role,
                "name": p.name,
                "is_organisation": p.is_organisation,
                "id_number": mask_id(p.id_number),
                "phone": mask_phone(p.phone),
            }
            for p in d.parties.all()
        ]
        out["sessions"] = [
            {"at": s.at, "place": s.place, "notes": s.notes} for s in d.sessions.all()
        ]
        out["agreement"] = d.agreement_text
        out["events"] = [
            {"action": e.action, "actor": e.actor_name, "at": e.at, "note": e.note}
            for e in d.events.all()
        ]
        out["risks"] = [r.number for r in d.risks.all()]
    return out
