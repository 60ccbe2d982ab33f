"""Cockpit provider of disputes (docs/cockpit.md): disputes received and resolved (agreement
reached) in the period, and open disputes past their mediation deadline (grouped counts)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext

from zhili.cockpit.registry import CockpitQuery, Figure, Section, by_child
from zhili.core.scoping import has_any, path_prefix_q
from zhili.disputes.models import Dispute, Status

OPEN = (Status.REGISTERED, Status.MEDIATING)


def _bounds(q: CockpitQuery) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(q.start, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(q.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def disputes_section(q: CockpitQuery) -> Section | None:
    if not has_any(q.user, Dispute, "view"):
        return None
    start, end = _bounds(q)
    agg = {
        "received": Count("id", filter=Q(received_at__gte=start, received_at__lt=end)),
        "resolved": Count("id", filter=Q(agreed_at__gte=start, agreed_at__lt=end)),
        "overdue": Count("id", filter=Q(status__in=OPEN, due_at__lt=timezone.now())),
    }
    qs = Dispute.objects.visible_to(q.user)
    total = qs.filter(path_prefix_q("area_path", q.area.path)).aggregate(**agg)
    split = by_child(qs, "area_path", q, **agg)

    def kids(key: str) -> dict[str, int | float | None]:
        return {c: v[key] for c, v in split.items()}

    cases = pgettext("case", "件")
    figures = [
        Figure("disputes.received", gettext("受理纠纷"), total["received"], unit=cases,
               children=kids("received")),
        Figure("disputes.resolved", gettext("调解成功"), total["resolved"], unit=cases,
               children=kids("resolved"), note=gettext("期内达成调解协议的纠纷"), map=True),
        Figure("disputes.overdue", gettext("超期未调结"), total["overdue"], unit=cases,
               higher_is_better=False, children=kids("overdue"),
               note=gettext("登记或调解中、已过调解期限的纠纷（实时）"), map=True),
    ]  # fmt: skip
    return Section("disputes", gettext("矛盾纠纷"), figures, reverse("disputes:list"), order=40)


PROVIDERS = [disputes_section]
