"""Background tasks of the points bank (django.tasks; run by ``zhili worker``). Idempotent."""

from __future__ import annotations

from django.tasks import task


@task()
def points_reconcile() -> int:
    """Nightly: cached balances against the transfers; returns the number of differences."""
    from zhili.points.reconcile import ledger_reconcile

    return len(ledger_reconcile())


@task()
def points_expire_holds() -> int:
    """Expire the shop's holds past their timeout (orders not picked up in time)."""
    from zhili.points.services import orders_expire_due

    return orders_expire_due()
