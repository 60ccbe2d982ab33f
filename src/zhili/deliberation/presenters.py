"""Records and projects as the API shows them (personal fields masked)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from zhili.core.privacy import mask
from zhili.deliberation import selectors
from zhili.deliberation.schemas import DelibEventOut
from zhili.deliberation.workflow import PROJECTS, WORKFLOW


def record_out(d: Any) -> dict[str, Any]:
    return {
        "number": d.number,
        "title": d.title,
        "content": d.content,
        "area": d.area.code,
        "area_name": d.area.name,
        "status": d.status,
        "status_label": d.get_status_display(),
        "merged_posts": d.merged_posts,
        "review_before": d.review_before,
        "version": d.version,
    }


def record_detail(user: Any, d: Any) -> dict[str, Any]:
    review = selectors.deliberation_review(d)
    waiting = [
        f"{rule.label}：{reason}"
        for key, rule in WORKFLOW.rules.items()
        if d.status in rule.sources
        and key != "propose_merged"
        and WORKFLOW.may(user, key, d)
        and (reason := WORKFLOW.refusal(user, key, d))
    ]
    steps = [
        {
            "id": s.pk,
            "stage": s.stage,
            "stage_label": s.get_stage_display(),
            "assembly": s.assembly,
            "held_on": s.held_on,
            "due": s.due,
            "present": s.present,
            "households_due": s.households_due,
            "households_present": s.households_present,
            "votes_for": s.votes_for,
            "votes_against": s.votes_against,
            "abstain": s.abstain,
            "text": s.text,
            "witness": s.witness.display_name if s.witness else "",
            "public_from": s.public_from,
            "public_until": s.public_until,
            "signatures_url": reverse("deliberation:signatures", args=[d.number, s.pk])
            if s.signatures
            else None,
        }
        for s in selectors.deliberation_steps(d)
    ]
    return {
        **record_out(d),
        "actions": WORKFLOW.allowed_actions(user, d),
        "waiting": waiting,
        "review_status": review.status if review else None,
        "steps": steps,
        "events": [DelibEventOut.of(e) for e in selectors.deliberation_events(d)],
    }


def project_out(p: Any) -> dict[str, Any]:
    return {
        "number": p.number,
        "title": p.title,
        "purpose": p.purpose,
        "area": p.area.code,
        "area_name": p.area.name,
        "year": p.year,
        "proposer": p.proposer,
        "signers": p.signers,
        "villagers": p.villagers,
        "budget": p.budget,
        "money_per_person": p.money_per_person,
        "labour_per_person": p.labour_per_person,
        "status": p.status,
        "status_label": p.get_status_display(),
        "reply_due": p.reply_due,
        "replied_at": p.replied_at,
        "version": p.version,
    }


def project_detail(user: Any, p: Any) -> dict[str, Any]:
    book = selectors.project_book(p)
    return {
        **project_out(p),
        "description": p.description,
        "actions": PROJECTS.allowed_actions(user, p),
        "book": {
            "households": book.households,
            "persons_due": book.persons_due,
            "persons_contributing": book.persons_contributing,
            "persons_exempt": book.persons_exempt,
            "share_percent": book.share_percent,
            "eligible": book.eligible,
            "persons_needed": book.persons_needed,
            "money": book.money,
            "labour_days": book.labour_days,
            "grants": book.grants,
            "other_in": book.other_in,
            "spent": book.spent,
            "corrections": book.corrections,
            "balance": book.balance,
        },
        "contributions": [
            {
                "id": c.pk,
                "household": mask("name", c.household),
                "phone": mask("phone", c.phone),
                "persons": c.persons,
                "money": c.money,
                "labour_days": c.labour_days,
                "exempt_reason": c.exempt_reason,
                "on": c.on,
            }
            for c in selectors.project_contributions(p)
        ],
        "ledger": [
            {
                "id": e.pk,
                "kind": e.kind,
                "kind_label": e.get_kind_display(),
                "amount": e.amount,
                "on": e.on,
                "note": e.note,
            }
            for e in selectors.project_ledger(p)
        ],
        "events": [DelibEventOut.of(e) for e in selectors.project_events(p)],
    }
