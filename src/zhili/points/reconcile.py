"""The nightly reconcile: the cached sums of every account against the sums of its transfers.

A difference means something wrote an account outside ``points.ledger`` (or a bug did): it is
not corrected silently; each one is recorded in the audit trail and put in the inbox of whoever
holds ``points.account.reconcile`` over the village (the city's administrators included).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhili.core.audit import audit_record
from zhili.core.notify import notify
from zhili.core.scoping import holders
from zhili.points.ledger import Difference, differences
from zhili.points.models import Account

FIELDS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


def ledger_reconcile(*, actor: Any = None) -> list[Difference]:
    """Compare, and raise an alert for each difference (idempotent per account and state)."""
    found = differences()
    with transaction.atomic():
        for diff in found:
            account = Account.objects.select_related("area").get(pk=diff.account_id)
            audit_record(
                actor=actor,
                action="points.reconcile_difference",
                obj=account,
                area_path=account.area_path,
                before=dict(zip(FIELDS, diff.summed, strict=True)),
                after=dict(zip(FIELDS, diff.cached, strict=True)),
                note=_("账户缓存余额与流水合计不一致"),
            )
            notify(
                recipients=holders("points.account.reconcile", account.area),
                kind="points.reconcile",
                title=_("积分对账差异：%(name)s") % {"name": account.name},
                body=_("缓存 %(cached)s，流水合计 %(summed)s")
                % {"cached": list(diff.cached), "summed": list(diff.summed)},
                obj=account,
                dedupe_key=f"points.reconcile:{account.pk}:{diff.cached}:{diff.summed}",
            )
    return found
