"""Reads of dispute cases, scoped; statistics by channel, area, committee and mediator.

Everything linked to a case is read through the linked model's own scoping (risks through
``Risk.objects.visible_to``), never through a related manager."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core.errors import NotFound
from zhili.core.events import EventQuerySet
from zhili.core.privacy import may_see, visible_value
from zhili.core.related import Link, Related, linked_by
from zhili.core.scoping import has_any
from zhili.disputes.models import Dispute, Party, Session, Status

# "500000/500103/": the root and a district code, both six digits.
DISTRICT_PREFIX = 14


def dispute_visible(user: Any, action: str = "view") -> QuerySet[Dispute]:
    return Dispute.objects.visible_to(user, action)


def dispute_list(
    user: Any, *, status: str = "", channel: str = "", queue: str = "", area: str = ""
) -> QuerySet[Dispute]:
    """``area``: a code (the picker's, core.pickers): the disputes of its whole subtree."""
    qs = dispute_visible(user).select_related("area", "committee", "mediator")
    if area:
        from zhili.areas.models import Area
        from zhili.core.scoping import path_prefix_q

        found = Area.objects.filter(code=area).only("path").first()
        qs = qs.filter(path_prefix_q("area_path", found.path)) if found else qs.none()
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    now = timezone.now()
    if queue == "overdue":
        qs = qs.filter(status__in=[Status.REGISTERED, Status.MEDIATING], due_at__lt=now)
    elif queue == "confirmation":
        qs = qs.filter(status=Status.AGREED, confirmed_at__isnull=True)
    elif queue == "follow_up":
        qs = qs.filter(status__in=[Status.CLOSED, Status.FAILED], followed_up_at__isnull=True)
    elif queue == "mine":
        qs = qs.filter(mediator=user)
    return qs


def dispute_get(user: Any, number: str) -> Dispute:
    d = (
        dispute_visible(user)
        .select_related("area", "committee", "mediator", "matter", "referring_unit")
        .filter(number=number)
        .first()
    )
    if d is None:
        raise NotFound(
            gettext("纠纷案件 %(number)s 不存在或不在您的管辖范围内") % {"number": number},
            code="dispute_not_found",
        )
    return d


def dispute_parties(d: Dispute) -> QuerySet[Party]:
    return Party.objects.filter(dispute=d).order_by("id")


def dispute_sessions(d: Dispute) -> QuerySet[Session]:
    return Session.objects.filter(dispute=d).select_related("mediator").order_by("at", "id")


def dispute_events(d: Dispute) -> EventQuerySet:
    return d.events.for_display()  # type: ignore[attr-defined, no-any-return]


def dispute_risks(user: Any, d: Dispute) -> list[Any]:
    """The risks registered from this case that the user may see (the risks' own scoping)."""
    from zhili.risks.models import Risk

    return list(
        Risk.objects.visible_to(user)
        .filter(dispute=d)
        .only("number", "title", "level")
        .order_by("id")
    )


def disputes_from_matter(user: Any, matter: Any) -> QuerySet[Dispute]:
    """The disputes registered from a matter that the user may see (for the matter's and the
    risk's pages: links are read through the linking app's selector)."""
    return dispute_visible(user).filter(matter=matter).only("number", "subject", "status")


def matter_prefill(user: Any, number: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A registration form started from a matter: the form's initial values, and the matter's
    reporter as the user may see them without a reveal (masked) and whether the user may have it
    copied into the applicant (``may_copy``), or None (anonymous). Nothing personal goes into the
    initial values: the applicant is copied server-side on submit."""
    from zhili.matters.selectors import matter_get

    m = matter_get(user, number)
    initial = {
        "channel": "matter",
        "matter": m.number,
        "subject": m.title,
        "facts": m.description,
        "area_code": m.area.code,
    }
    reporter = None
    if not m.anonymous and (m.reporter_name or "").strip():
        reporter = {
            "name": visible_value(user, m, "name", m.reporter_name),
            "phone": visible_value(user, m, "phone", m.reporter_phone),
            "may_copy": may_see(user, m),
        }
    return initial, reporter


def stats(
    user: Any, *, since: dt.date | None = None, until: dt.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Cases, success rate (agreed ÷ (agreed + failed)) and mean days to close, by dimension."""
    qs = dispute_visible(user)
    if since:
        qs = qs.filter(received_at__date__gte=since)
    if until:
        qs = qs.filter(received_at__date__lte=until)
    agreed = Q(status__in=[Status.AGREED, Status.CLOSED], agreed_at__isnull=False)
    days = ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())
    out: dict[str, list[dict[str, Any]]] = {}
    qs = qs.annotate(district_prefix=Substr("area_path", 1, DISTRICT_PREFIX))
    for key, field in (
        ("channel", "channel"),
        ("district", "district_prefix"),
        ("committee", "committee__name"),
        ("mediator", "mediator__full_name"),
    ):
        rows = (
            qs.values(field)
            .annotate(
                cases=Count("id"),
                agreed=Count("id", filter=agreed),
                failed=Count("id", filter=Q(status=Status.FAILED)),
                mean_close=Avg(days, filter=Q(closed_at__isnull=False)),
            )
            .order_by("-cases")
        )
        items = []
        for r in rows:
            decided = r["agreed"] + r["failed"]
            mean = r["mean_close"]
            items.append(
                {
                    "name": _label(key, r[field]),
                    "cases": r["cases"],
                    "agreed": r["agreed"],
                    "failed": r["failed"],
                    "success_rate": round(r["agreed"] / decided, 4) if decided else None,
                    "mean_days_to_close": round(mean.total_seconds() / 86400, 1) if mean else None,
                }
            )
        out[key] = items
    return out


def _label(key: str, value: Any) -> str:
    if key == "district" and value:
        from zhili.areas.models import Area

        code = str(value).rstrip("/").rsplit("/", 1)[-1]
        area = Area.objects.filter(code=code).only("name").first()
        return area.name if area else code
    if key == "channel":
        from zhili.disputes.models import Channel

        return str(dict(Channel.choices).get(value, value or "—"))
    return str(value or gettext("（未指派）"))


@linked_by(disputes_from_matter)
def disputes_of_matter(user: Any, matter: Any, *, linked: bool = True) -> Related | None:
    """A matter page's links to the disputes taken up from it (scoped), and "转为矛盾纠纷调解" for
    those who may register one (core.related; declared in DisputesConfig.related)."""
    disputes = list(disputes_from_matter(user, matter)) if linked else []
    may_add = has_any(user, Dispute, "add")
    if not disputes and not may_add:
        return None
    return Related(
        items=[
            Link(
                gettext("纠纷 %(number)s · %(subject)s · %(get_status_display)s")
                % {
                    "number": d.number,
                    "subject": d.subject,
                    "get_status_display": d.get_status_display(),
                },
                reverse("disputes:detail", args=[d.number]),
            )
            for d in disputes
        ],
        actions=[
            Link(
                gettext("转为矛盾纠纷调解"), f"{reverse('disputes:create')}?matter={matter.number}"
            )
        ]
        if may_add
        else [],
        order=20,
    )
