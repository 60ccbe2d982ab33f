"""Retention (issue 18): the reporter's name and phone of a matter that ended (closed, rated,
rejected or merged) more than ``ZHILI_RETENTION_YEARS`` years ago are blanked. The matter, its
events and its figures stay; only who reported it is forgotten. One audit record per run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zhili.core.audit import audit_record, root_path
from zhili.matters.models import Matter, Status

ENDED = (Status.CLOSED, Status.RATED, Status.REJECTED, Status.MERGED)
PERSONAL = ("reporter_name", "reporter_phone")


@dataclass(frozen=True)
class Outcome:
    cutoff: dt.datetime
    years: int
    ended_before: int  # matters that ended before the cutoff
    to_anonymise: int  # of which still holding a name or phone
    anonymised: int  # written (0 on a dry run)


def cutoff_for(years: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _ended_before(cutoff: dt.datetime) -> QuerySet[Matter]:
    return Matter._base_manager.filter(status__in=ENDED).filter(
        Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, created_at__lt=cutoff)
    )


def anonymise_closed(
    *, years: int | None = None, dry_run: bool = False, now: dt.datetime | None = None
) -> Outcome:
    years = settings.ZHILI_RETENTION_YEARS if years is None else years
    if years <= 0:
        raise ValueError("保留年限须大于 0（ZHILI_RETENTION_YEARS=0 表示不做匿名化）")
    cutoff = cutoff_for(years, now)
    ended = _ended_before(cutoff)
    holding = ended.exclude(reporter_name="", reporter_phone="")
    counts = (ended.count(), holding.count())
    if dry_run or not counts[1]:
        return Outcome(cutoff, years, counts[0], counts[1], 0)
    with transaction.atomic():
        written = holding.update(reporter_name="", reporter_phone="")
        audit_record(
            actor=None,
            action="matter.anonymise",
            object_type="matters.matter",
            object_repr=f"{cutoff:%Y-%m-%d} 前结束的诉求",
            area_path=root_path(),
            after={"matters": written, "years": years, "cutoff": cutoff.date().isoformat()},
        )
    return Outcome(cutoff, years, counts[0], counts[1], written)
