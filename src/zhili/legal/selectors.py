"""Reads of the legal module, scoped; the yearly service account of each village or community
(hours and monthly visits against the target) with its warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zhili.core.privacy import mask
from zhili.core.scoping import one_visible
from zhili.legal.models import (
    Adviser,
    Consultation,
    Coverage,
    Duty,
    Review,
    ReviewEvent,
    Target,
    subject_of,
)


def adviser_list(user: Any) -> QuerySet[Adviser]:
    return Adviser.objects.visible_to(user).select_related("area", "user")


def adviser_get(user: Any, pk: int) -> Adviser:
    return one_visible(  # type: ignore[no-any-return]
        adviser_list(user).filter(pk=pk), noun=gettext("法律顾问"), code="adviser_not_found"
    )


def coverage_list(user: Any) -> QuerySet[Coverage]:
    return (
        Coverage.objects.visible_to(user)
        .filter(until__isnull=True)
        .select_related("adviser", "area")
        .order_by("area__code")
    )


def duty_list(user: Any, *, since: dt.date | None = None) -> QuerySet[Duty]:
    qs = Duty.objects.visible_to(user).select_related("adviser", "area")
    return qs.filter(on__gte=since) if since else qs


def consultation_list(user: Any, *, year: int | None = None) -> QuerySet[Consultation]:
    qs = Consultation.objects.visible_to(user).select_related("adviser", "area")
    return qs.filter(on__year=year) if year else qs


def consultation_row(c: Consultation) -> dict[str, Any]:
    """A consultation for a page or the API: the person's name and phone masked."""
    return {
        "id": c.pk,
        "on": c.on,
        "adviser": c.adviser.name,
        "area": c.area.name,
        "area_code": c.area.code,
        "kind": c.kind,
        "kind_label": c.get_kind_display(),
        "minutes": c.minutes,
        "on_site": c.on_site,
        "topic": c.topic,
        "person": mask("name", c.person),
        "phone": mask("phone", c.phone),
    }


def consultation_get(user: Any, pk: int) -> Consultation:
    return one_visible(  # type: ignore[no-any-return]
        consultation_list(user).filter(pk=pk),
        noun=gettext("法律服务记录"),
        code="consultation_not_found",
    )


def review_list(user: Any) -> QuerySet[Review]:
    return Review.objects.visible_to(user).select_related("adviser", "area")


def review_get(user: Any, pk: int) -> Review:
    return one_visible(  # type: ignore[no-any-return]
        review_list(user).filter(pk=pk), noun=gettext("法律审查"), code="review_not_found"
    )


def review_events(r: Review) -> Any:
    return r.events.for_display()  # type: ignore[attr-defined]


def review_events_of(subject: Any) -> Any:
    """Every event of every legal review of ``subject`` (送审, 审查通过, 提出修改意见), oldest
    first: the subject's own history shows them beside its own events."""
    return (
        ReviewEvent.objects.filter(**{f"review__{k}": v for k, v in subject_of(subject).items()})
        .select_related("actor")
        .order_by("id")
    )


def target_of(year: int) -> Target:
    """The year's target (the default 50 h and one visit a month when none is set)."""
    return Target.objects.filter(year=year).first() or Target(year=year)


@dataclass
class Account:
    """One village or community's service in a year: minutes, visits by month, warnings."""

    area: str
    area_code: str
    adviser: str
    minutes: int
    target_hours: int
    months_due: int
    visits_by_month: dict[int, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def hours(self) -> Fraction:
        return Fraction(self.minutes, 60)

    @property
    def hours_text(self) -> str:
        whole, rest = divmod(self.minutes, 60)
        return (
            gettext("%(whole)s 小时 %(rest)s 分") % {"whole": whole, "rest": rest}
            if rest
            else gettext("%(whole)s 小时") % {"whole": whole}
        )

    @property
    def percent(self) -> int:
        """Share of the yearly target reached, 0–100 (floored)."""
        if self.target_hours <= 0:
            return 100
        return min(100, self.minutes * 100 // (self.target_hours * 60))

    @property
    def months_missed(self) -> list[int]:
        return [m for m in range(1, self.months_due + 1) if not self.visits_by_month.get(m)]


def accounts(user: Any, *, year: int, today: dt.date | None = None) -> list[Account]:
    """The service account of every covered village or community the user may see.

    Months due: the whole months of ``year`` already ended by ``today`` (a month in progress
    is not late yet). Warnings: a month without the required visits; hours behind the pace of
    the target (target × months due ÷ 12); the year over and the target missed."""
    today = today or timezone.localdate()
    target = target_of(year)
    months_due = 12 if today.year > year else (today.month - 1 if today.year == year else 0)
    rows = list(
        consultation_list(user, year=year).values_list("area_id", "minutes", "on", "on_site")
    )
    out = []
    for cov in coverage_list(user):
        mine = [r for r in rows if r[0] == cov.area_id]
        visits: dict[int, int] = {}
        for _a, _m, on, on_site in mine:
            if on_site:
                visits[on.month] = visits.get(on.month, 0) + 1
        acc = Account(
            area=cov.area.name,
            area_code=cov.area.code,
            adviser=cov.adviser.name,
            minutes=sum(r[1] for r in mine),
            target_hours=target.hours,
            months_due=months_due,
            visits_by_month=visits,
        )
        short = [m for m in range(1, months_due + 1) if visits.get(m, 0) < target.visits_per_month]
        if short:
            acc.warnings.append(
                gettext("%(months)s到村（社区）不足 %(visits_per_month)s 次")
                % {
                    "months": gettext("、").join(gettext("%(m)s 月") % {"m": m} for m in short),
                    "visits_per_month": target.visits_per_month,
                }
            )
        if months_due == 12 and acc.minutes < target.hours * 60:
            acc.warnings.append(
                gettext("全年服务 %(hours_text)s，未达到 %(hours)s 小时")
                % {"hours_text": acc.hours_text, "hours": target.hours}
            )
        elif acc.minutes * 12 < target.hours * 60 * months_due:
            pace = Fraction(target.hours * months_due, 12)
            acc.warnings.append(
                gettext(
                    "已服务 %(hours_text)s，落后于进度（截至 %(months_due)s 月底应约 %(pace).1f 小时）"
                )
                % {
                    "hours_text": acc.hours_text,
                    "months_due": months_due,
                    "pace": Decimal(pace.numerator) / Decimal(pace.denominator),
                }
            )
        out.append(acc)
    return out
