"""The risk review queue and the periodic sweep (escalation, overdue notices, acceptance expiry)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhili.core.notify import notify
from zhili.core.system import system_user
from zhili.risks.models import LevelPolicy, Risk, Status


def overdue_q(today: dt.date) -> Q:
    return Q(status=Status.OPEN) & (
        Q(handle_due__lt=today)
        | Q(next_review__lt=today)
        | Q(measures__done_at__isnull=True, measures__due__lt=today)
    )


def overdue(qs: QuerySet[Risk], today: dt.date | None = None) -> QuerySet[Risk]:
    return qs.filter(overdue_q(today or timezone.localdate())).distinct()


@transaction.atomic
def sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate red/orange risks not yet escalated, notify owners of overdue risks (once a day),
    reopen accepted risks whose acceptance expired. Escalation and expiry are transitions of the
    risk workflow (event, audit, version), as the system account."""
    from zhili.risks.services import escalate, escalate_overdue, risk_acceptance_expire

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    actor = system_user()
    counts = {"escalated": 0, "climbed": 0, "overdue": 0, "expired": 0}
    levels = list(LevelPolicy.objects.filter(escalate=True).values_list("level", flat=True))
    for risk in Risk.objects.filter(
        status=Status.OPEN, level__in=levels, escalated_to__isnull=True
    ):
        escalate(actor=actor, risk=risk)
        counts["escalated"] += 1
    # A missed handling limit climbs the tree, one level per missed limit, up to the city.
    city = f"{settings.ZHILI_ROOT_CODE}/"
    for risk in (
        Risk.objects.filter(status=Status.OPEN, level__in=levels, handle_due__lt=today)
        .exclude(escalated_to__path=city)
        .select_related("escalated_to")
    ):
        escalate_overdue(actor=actor, risk=risk, now=now)
        counts["climbed"] += 1
    for risk in overdue(Risk.objects.all(), today).select_related("responsible_person", "area"):
        made = notify(
            recipients=[risk.responsible_person, risk.created_by],
            kind="risk_overdue",
            title=f"风险 {risk.number} 已超期：{risk.title}",
            url=f"/risks/{risk.number}/",
            obj=risk,
            dedupe_key=f"risk-overdue-{risk.pk}-{today}",
        )
        counts["overdue"] += bool(made)
    for risk in Risk.objects.filter(status=Status.ACCEPTED, acceptance_expires__lt=today):
        risk_acceptance_expire(actor=actor, risk=risk, now=now)
        counts["expired"] += 1
    return counts


def review_queue(user: Any) -> QuerySet[Risk]:
    from zhili.risks.selectors import risk_visible

    return (
        overdue(risk_visible(user))
        .select_related("area", "responsible_unit")
        .order_by("handle_due", "id")
    )
