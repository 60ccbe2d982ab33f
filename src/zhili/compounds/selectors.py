"""Scoped reads of the compounds registry and its joint meetings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.compounds.models import (
    Attendee,
    Compound,
    Coverage,
    FollowUp,
    FollowUpEvent,
    FollowUpStatus,
    Meeting,
    Party,
)
from zhili.core.related import Link, Related, linked_by
from zhili.core.scoping import has_any, one_visible


@dataclass
class CompoundFilters:
    coverage: str = ""
    owners_committee: str = ""  # "yes" / "no"
    q: str = ""


def compound_list(user: Any, f: CompoundFilters | None = None) -> QuerySet[Compound]:
    f = f or CompoundFilters()
    qs = Compound.objects.visible_to(user).select_related("area")
    if f.coverage in Coverage.values:
        qs = qs.filter(coverage=f.coverage)
    if f.owners_committee in ("yes", "no"):
        qs = qs.filter(has_owners_committee=f.owners_committee == "yes")
    if f.q:
        qs = qs.filter(Q(name__contains=f.q) | Q(address__contains=f.q))
    return qs


def compound_get(user: Any, pk: int) -> Compound:
    return one_visible(compound_list(user).filter(pk=pk), noun=gettext("老旧小区"))


def coverage_counts(user: Any) -> dict[str, Any]:
    """Compounds in scope by property-service coverage, and how many have an owners' committee."""
    qs = Compound.objects.visible_to(user)
    by = {c: 0 for c in Coverage.values}
    for row in qs.values("coverage").annotate(n=Count("id")):
        by[row["coverage"]] = row["n"]
    return {
        "total": sum(by.values()),
        "by_coverage": by,
        "with_committee": qs.filter(has_owners_committee=True).count(),
    }


def meeting_list(user: Any, compound: Compound | None = None) -> QuerySet[Meeting]:
    qs = Meeting.objects.visible_to(user).select_related("compound")
    return qs.filter(compound=compound) if compound is not None else qs


def meeting_get(user: Any, pk: int) -> Meeting:
    return one_visible(meeting_list(user).filter(pk=pk), noun=gettext("联席会议"))


def parties_of(meeting: Meeting) -> list[Party]:
    return list(Party.objects.filter(meeting=meeting).order_by("id"))


def attendees_of(meeting: Meeting) -> list[Attendee]:
    return list(Attendee.objects.filter(meeting=meeting).select_related("party").order_by("id"))


def followups_of(user: Any, meeting: Meeting) -> list[FollowUp]:
    return list(
        FollowUp.objects.visible_to(user)
        .filter(meeting=meeting)
        .select_related("owner")
        .order_by("due", "id")
    )


def followup_get(user: Any, pk: int) -> FollowUp:
    return one_visible(
        FollowUp.objects.visible_to(user).select_related("owner", "meeting").filter(pk=pk),
        noun=gettext("会议任务"),
    )


def followups_overdue(user: Any) -> QuerySet[FollowUp]:
    return FollowUp.objects.visible_to(user).filter(
        status=FollowUpStatus.OPEN, due__lt=timezone.localdate()
    )


def followup_events(meeting: Meeting) -> QuerySet[FollowUpEvent]:
    return FollowUpEvent.objects.filter(followup__meeting=meeting).for_display()


def matters_of_meeting(user: Any, meeting: Meeting) -> list[Any]:
    """The matters the meeting resolves, as far as the user may see them (with their status)."""
    from zhili.matters.selectors import matter_visible

    return list(
        matter_visible(user)
        .filter(pk__in=Meeting.matters.through.objects.filter(meeting=meeting).values("matter_id"))
        .order_by("id")
    )


def meetings_on_matter(user: Any, matter: Any) -> QuerySet[Meeting]:
    """The joint meetings that took up a matter, as the user may see them."""
    through = Meeting.matters.through.objects.filter(matter=matter).values("meeting_id")
    return meeting_list(user).filter(pk__in=through)


@linked_by(meetings_on_matter)
def meetings_of_matter(user: Any, matter: Any, *, linked: bool = True) -> Related | None:
    """A matter's page: the joint meetings that resolve it (core.related, scoped)."""
    if not linked:
        return None
    meetings = list(meetings_on_matter(user, matter).order_by("-held_on")[:20])
    if not meetings:
        return None
    return Related(
        items=[
            Link(
                f"{m.get_kind_display()} · {m.held_on:%Y-%m-%d} {m.compound.name} · {m.topic}",
                reverse("compounds:meeting", args=[m.pk]),
            )
            for m in meetings
        ],
        order=30,
    )


def may_add(user: Any, model: type) -> bool:
    return has_any(user, model, "add")
