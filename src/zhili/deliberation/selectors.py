"""Reads of 四议两公开 records and 一事一议 projects, scoped; the project's book (recomputed from
its append-only rows) and the matching-grant eligibility (≥ 70 % of the villagers due)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext

from zhili.core.events import EventQuerySet
from zhili.core.scoping import one_visible
from zhili.deliberation.models import (
    Contribution,
    Deliberation,
    LedgerEntry,
    LedgerKind,
    Project,
    Step,
    cap_for,
)

GRANT_SHARE = Fraction(7, 10)  # matching grants: at least 70 % of the villagers contribute


def deliberation_list(user: Any, *, status: str = "") -> QuerySet[Deliberation]:
    qs = Deliberation.objects.visible_to(user).select_related("area")
    return qs.filter(status=status) if status else qs


def deliberation_get(user: Any, number: str) -> Deliberation:
    return one_visible(  # type: ignore[no-any-return]
        Deliberation.objects.visible_to(user).select_related("area").filter(number=number),
        noun=gettext("四议两公开事项"),
        code="deliberation_not_found",
    )


def deliberation_steps(d: Deliberation) -> QuerySet[Step]:
    return Step.objects.filter(deliberation=d).select_related("witness").order_by("id")


def deliberation_events(d: Deliberation) -> list[Any]:
    """The record's events and its legal reviews' (``zhili.legal``: 送审, 审查通过, 提出修改意见),
    in time order: the review is a step of the record's history, not only its header."""
    from zhili.legal.selectors import review_events_of

    own = list(d.events.for_display())  # type: ignore[attr-defined]
    return sorted([*own, *review_events_of(d)], key=lambda e: e.at)


def deliberation_review(d: Deliberation) -> Any:
    """The latest legal review of the record (``zhili.legal``), or None."""
    from zhili.legal.services import latest_review

    return latest_review(d)


def witnesses(d: Deliberation) -> QuerySet[Any]:
    """Township officers who may witness the record's decision meeting (``workflow.witness_check``:
    a grant on the township itself)."""
    from zhili.core.scoping import holders
    from zhili.deliberation.workflow import WITNESS, township_path

    return holders(WITNESS, township_path(d.area_path), exactly=True)  # type: ignore[no-any-return]


def project_list(user: Any, *, status: str = "") -> QuerySet[Project]:
    qs = Project.objects.visible_to(user).select_related("area")
    return qs.filter(status=status) if status else qs


def project_get(user: Any, number: str) -> Project:
    return one_visible(  # type: ignore[no-any-return]
        Project.objects.visible_to(user).select_related("area").filter(number=number),
        noun=gettext("一事一议项目"),
        code="project_not_found",
    )


def project_events(p: Project) -> EventQuerySet:
    return p.events.for_display()  # type: ignore[attr-defined, no-any-return]


def project_contributions(p: Project) -> QuerySet[Contribution]:
    return Contribution.objects.filter(project=p).order_by("id")


def project_ledger(p: Project) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(project=p).order_by("id")


@dataclass(frozen=True)
class Book:
    """What a project collected and spent, and whether it qualifies for a matching grant."""

    households: int
    persons_contributing: int
    persons_exempt: int
    persons_due: int
    money: Decimal
    labour_days: Decimal
    grants: Decimal
    other_in: Decimal
    spent: Decimal
    corrections: Decimal
    balance: Decimal
    cap_money: Decimal | None
    cap_labour_days: Decimal | None

    @property
    def share(self) -> Fraction:
        return (
            Fraction(self.persons_contributing, self.persons_due)
            if self.persons_due
            else Fraction(0)
        )

    @property
    def share_percent(self) -> str:
        """The contributing share as a percentage with one decimal, never above 100 %."""
        value = min(self.share, Fraction(1)) * 1000
        return f"{Decimal(value.numerator) / Decimal(value.denominator) / 10:.1f}"

    @property
    def eligible(self) -> bool:
        return self.persons_due > 0 and self.share >= GRANT_SHARE

    @property
    def persons_needed(self) -> int:
        """How many more persons must contribute to reach 70 %."""
        need = -(-self.persons_due * GRANT_SHARE.numerator // GRANT_SHARE.denominator)
        return max(0, need - self.persons_contributing)


def project_book(p: Project) -> Book:
    contributions = list(project_contributions(p))
    entries = list(project_ledger(p))
    exempt = sum(c.persons for c in contributions if c.exempt_reason)
    # A household counts once, however many rows (money and labour) it has.
    contributing: dict[str, int] = {}
    for c in contributions:
        if not c.exempt_reason and (c.money or c.labour_days):
            contributing[c.household] = max(contributing.get(c.household, 0), c.persons)

    def total(kind: str) -> Decimal:
        return sum((e.amount for e in entries if e.kind == kind), Decimal(0))

    money = sum((c.money for c in contributions), Decimal(0))
    grants, other, spent, corr = (
        total(LedgerKind.GRANT),
        total(LedgerKind.OTHER_IN),
        total(LedgerKind.SPENT),
        total(LedgerKind.CORRECTION),
    )
    cap = cap_for(p)
    return Book(
        households=len({c.household for c in contributions}),
        persons_contributing=sum(contributing.values()),
        persons_exempt=exempt,
        persons_due=max(0, p.villagers - exempt),
        money=money,
        labour_days=sum((c.labour_days for c in contributions), Decimal(0)),
        grants=grants,
        other_in=other,
        spent=spent,
        corrections=corr,
        balance=money + grants + other + corr - spent,
        cap_money=cap.money if cap else None,
        cap_labour_days=cap.labour_days if cap else None,
    )
