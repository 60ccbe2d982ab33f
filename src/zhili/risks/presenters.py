"""What a risk looks like outside: the API's dictionaries and the page's list of people.

Personal data goes through ``core.privacy``: ID numbers and phones are always masked here; the
unmasked values come only from the audited reveal (``services.risk_reveal_personal``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zhili.core.privacy import mask, may_see
from zhili.risks.models import ElementKind, Risk
from zhili.risks.selectors import (
    risk_assessments,
    risk_elements,
    risk_events,
    risk_links,
    risk_measures,
    visible_sources,
)
from zhili.risks.workflow import WORKFLOW

# The personal fields of a risk's people, by kind of personal data (``core.privacy.MASKS``).
PERSONAL = {"id_number": "id_number", "phone": "phone"}


def element_rows(
    elements: Iterable[Any], revealed: Sequence[Mapping[str, str]] | None = None
) -> list[dict[str, Any]]:
    """A risk's elements for display: people's ID numbers and phones masked, unless ``revealed``
    (the audited reveal's rows, in the same order as the people) gives them."""
    unmasked = iter(revealed or [])
    out = []
    for e in elements:
        row = {"kind": e.kind, "kind_label": e.get_kind_display(), "name": e.name}
        row.update({"detail": e.detail, "id_number": "", "phone": ""})
        if e.kind == ElementKind.PERSON:
            shown = next(unmasked, None) if revealed else None
            for name, kind in PERSONAL.items():
                value = getattr(e, name)
                row[name] = shown[name] if shown else mask(kind, value)
        out.append(row)
    return out


def risks_out(user: Any, risks: list[Risk]) -> list[dict[str, Any]]:
    """A page of risks: their sources' numbers only where the user may see them."""
    matters, disputes = visible_sources(user, risks)
    return [risk_out(user, r, sources=(matters, disputes)) for r in risks]


def risk_out(
    user: Any,
    r: Risk,
    *,
    detail: bool = False,
    sources: tuple[dict[int, str], dict[int, str]] | None = None,
) -> dict[str, Any]:
    matters, disputes = sources if sources is not None else visible_sources(user, [r])
    out: dict[str, Any] = {
        "number": r.number,
        "title": r.title,
        "category": r.category,
        "source": r.source,
        "status": r.status,
        "status_label": r.get_status_display(),
        "level": r.level,
        "version": r.version,
        "area_code": r.area.code,
        "area_name": r.area.name,
        "address": r.address,
        "matter": matters.get(r.matter_id) if r.matter_id else None,
        "dispute": disputes.get(r.dispute_id) if r.dispute_id else None,
        "responsible_unit": r.responsible_unit.name if r.responsible_unit else None,
        "handle_due": r.handle_due,
        "next_review": r.next_review,
        "escalated_to": r.escalated_to.code if r.escalated_to else None,
    }
    if detail:
        out.update(_detail(user, r))
    return out


def _detail(user: Any, r: Risk) -> dict[str, Any]:
    return {
        "description": r.description,
        "elements": [
            {k: row[k] for k in ("kind", "name", "id_number", "phone", "detail")}
            for row in element_rows(risk_elements(r))
        ],
        "assessments": [
            {
                "kind": a.kind,
                "likelihood": a.likelihood,
                "impact": a.impact,
                "level": a.level,
                "confidence": a.confidence,
                "stability_tests": a.stability_tests,
                "at": a.at,
            }
            for a in risk_assessments(r)
        ],
        "measures": [
            {
                "id": m.pk,
                "text": m.text,
                "owner": m.owner.username,
                "due": m.due,
                "done": m.done_at is not None,
            }
            for m in risk_measures(r)
        ],
        "events": [
            {
                "action": e.action,
                "label": e.label,
                "summary": e.summary,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor_name,
                "at": e.at,
                "note": e.note,
                "data": e.data,
            }
            for e in risk_events(r)
        ],
        "disputes": [d.number for d in risk_links(user, r).disputes],
        "allowed_actions": WORKFLOW.allowed_actions(user, r),
        "can_see_personal": may_see(user, r),
    }
