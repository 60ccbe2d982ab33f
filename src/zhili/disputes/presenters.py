"""What a page or the API shows of a dispute: personal data masked through core.privacy (the
unmasked rows come only from the audited reveal), event labels from the registry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zhili.core import privacy
from zhili.disputes import selectors
from zhili.disputes.models import Dispute, Party
from zhili.disputes.workflow import buttons

PERSONAL = {"phone": "phone", "id_number": "id_number", "address": "address"}


def party_rows(
    parties: Iterable[Party], revealed: Iterable[Mapping[str, str]] | None = None
) -> list[dict[str, Any]]:
    """The parties with their phone, ID number and address masked, or as revealed (the rows of
    ``services.dispute_reveal_parties``)."""
    full = {r["id"]: r for r in revealed} if revealed is not None else {}
    out = []
    for p in parties:
        values = {"phone": p.phone, "id_number": p.id_number, "address": p.address}
        shown = full.get(str(p.pk)) or privacy.masked(PERSONAL, values)
        out.append(
            {
                "id": p.pk,
                "role": p.role,
                "role_label": p.get_role_display(),
                "name": p.name,
                "is_organisation": p.is_organisation,
                "phone": shown["phone"],
                "id_number": shown["id_number"],
                "address": shown["address"],
                "full": str(p.pk) in full,
            }
        )
    return out


def event_out(e: Any) -> dict[str, Any]:
    return {
        "action": e.action,
        "label": e.label,
        "summary": e.summary,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "to_label": e.to_label,
        "actor": e.actor_display,
        "at": e.at,
        "note": e.note,
    }


def dispute_out(user: Any, d: Dispute, *, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": d.number,
        "channel": d.channel,
        "channel_label": d.get_channel_display(),
        "subject": d.subject,
        "status": d.status,
        "status_label": d.get_status_display(),
        "version": d.version,
        "area_code": d.area.code,
        "area_name": d.area.name,
        "amount": str(d.amount) if d.amount is not None else None,
        "committee": d.committee.name if d.committee else None,
        "mediator": d.mediator.display_name if d.mediator else None,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "extended_days": d.extended_days,
        "complex_case": d.complex_case,
        "litigation_involved": d.litigation_involved,
        "parties_consent": d.parties_consent,
        "confirmation_applied_on": d.confirmation_applied_on,
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
        out["actions"] = [{"action": a, "label": label} for a, label in buttons(user, d)]
        out["parties"] = [
            {k: v for k, v in row.items() if k not in ("id", "role_label", "full")}
            for row in party_rows(selectors.dispute_parties(d))
        ]
        out["sessions"] = [
            {"at": s.at, "place": s.place, "notes": s.notes, "mediator": s.mediator.display_name}
            for s in selectors.dispute_sessions(d)
        ]
        out["agreement"] = d.agreement_text
        out["events"] = [event_out(e) for e in selectors.dispute_events(d)]
        out["risks"] = [r.number for r in selectors.dispute_risks(user, d)]
    return out
