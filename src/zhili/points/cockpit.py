"""Cockpit provider of the points bank (docs/cockpit.md): points issued to households and points
redeemed in the shop in the period, as booked on the ledger (a reversal counts against the
code of the transfer it reverses)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section, by_child
from zhili.core.scoping import has_any, path_prefix_q
from zhili.points.models import Transfer, TransferCode, TransferKind

BOOKED = (TransferKind.SINGLE, TransferKind.POST)  # a hold books nothing until it is posted


def points_figures(q: CockpitQuery) -> dict[str, int]:
    """{"issued": n, "redeemed": n} over q.area's subtree, for the section and its test."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(q.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(q.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Transfer.objects.visible_to(q.user).filter(
        path_prefix_q("area_path", q.area.path), created_at__gte=start, created_at__lt=end
    )
    return {k: v or 0 for k, v in qs.aggregate(**_sums()).items()}


def _sums() -> dict[str, Sum]:
    def booked(code: str) -> Q:
        return Q(kind__in=BOOKED, code=code)

    return {
        "issued": Sum("amount", filter=booked(TransferCode.ISSUE)),
        "redeemed": Sum("amount", filter=booked(TransferCode.REDEEM)),
    }


def points_section(q: CockpitQuery) -> Section | None:
    if not has_any(q.user, Transfer, "view"):
        return None
    total = points_figures(q)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(q.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(q.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    qs = Transfer.objects.visible_to(q.user).filter(created_at__gte=start, created_at__lt=end)
    split = by_child(qs, "area_path", q, **_sums())

    def kids(key: str) -> dict[str, int | float | None]:
        return {c: v[key] or 0 for c, v in split.items()}

    figures = [
        Figure("points.issued", gettext("发放积分"), total["issued"], unit=gettext("分"), children=kids("issued"),
               note=gettext("期内记入农户积分存折的积分（经公示无异议）")),
        Figure("points.redeemed", gettext("兑换积分"), total["redeemed"], unit=gettext("分"),
               children=kids("redeemed"), note=gettext("期内在积分超市兑换（已取货）的积分")),
    ]  # fmt: skip
    return Section("points", gettext("积分银行"), figures, reverse("points:home"), order=55)


PROVIDERS = [points_section]
