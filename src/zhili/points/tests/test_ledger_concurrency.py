"""Sixteen concurrent writers on PostgreSQL (SQLite serialises every writer, so the race this
proves absent cannot even be attempted there).

The writers run in threads, each with its own connection, on committed data (the test's own
rows are made in autocommit and left in the throw-away test database: transfers cannot be
deleted, by design)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from zhili.core.errors import Conflict
from zhili.points import ledger
from zhili.points.models import Account, AccountKind, Transfer, TransferCode

WRITERS = 16


def _race(work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in WRITERS threads released at once; each result or exception."""
    barrier = threading.Barrier(WRITERS)
    results: list[Any] = [None] * WRITERS

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and asserted below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def committed(django_db_setup: Any, django_db_blocker: Any) -> Any:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite allows one writer at a time, no race to prove")
    with django_db_blocker.unblock():
        from zhili.areas.models import Area

        village = Area.objects.get(code="500103003013")
        tag = uuid.uuid4().hex[:8]
        budget = ledger.account_open(kind=AccountKind.BUDGET, area=village, name=f"预算{tag}")
        funding = ledger.account_open(kind=AccountKind.FUNDING, area=village, name=f"来源{tag}")
        shop = ledger.account_open(kind=AccountKind.SHOP, area=village, name=f"超市{tag}")
        home = ledger.account_open(kind=AccountKind.HOUSEHOLD, area=village, name=f"户{tag}")
        ledger.transfer_create(
            actor=None,
            key=f"fund-{tag}",
            debit=funding,
            credit=budget,
            amount=1000,
            code=TransferCode.ALLOCATE,
        )
        yield {"tag": tag, "budget": budget, "shop": shop, "home": home}


def _fresh(account: Any) -> Account:
    return Account.objects.get(pk=account.pk)


def test_sixteen_writers_spend_the_last_points_once(
    committed: dict, django_db_blocker: Any
) -> None:
    c = committed
    with django_db_blocker.unblock():
        ledger.transfer_create(
            actor=None,
            key=f"last-{c['tag']}",
            debit=c["budget"],
            credit=c["home"],
            amount=10,
            code=TransferCode.ISSUE,
        )
        results = _race(
            lambda i: ledger.transfer_create(
                actor=None,
                key=f"spend-{c['tag']}-{i}",
                debit=c["home"],
                credit=c["shop"],
                amount=10,
                code=TransferCode.REDEEM,
            )
        )
        ok = [r for r in results if isinstance(r, Transfer)]
        refused = [r for r in results if isinstance(r, Conflict)]
        assert len(ok) == 1 and len(refused) == WRITERS - 1, results
        home = _fresh(c["home"])
        assert (home.balance, home.available) == (0, 0)
        assert ledger.summed([home.pk])[home.pk] == (10, 10, 0, 0)


def test_sixteen_writers_spend_one_point_each_from_ten(
    committed: dict, django_db_blocker: Any
) -> None:
    c = committed
    with django_db_blocker.unblock():
        ledger.transfer_create(
            actor=None,
            key=f"ten-{c['tag']}",
            debit=c["budget"],
            credit=c["home"],
            amount=10,
            code=TransferCode.ISSUE,
        )
        results = _race(
            lambda i: ledger.transfer_create(
                actor=None,
                key=f"one-{c['tag']}-{i}",
                debit=c["home"],
                credit=c["shop"],
                amount=1,
                code=TransferCode.REDEEM,
                pending=i % 2 == 0,
            )
        )
        ok = [r for r in results if isinstance(r, Transfer)]
        assert len(ok) == 10, results
        assert all(isinstance(r, Transfer | Conflict) for r in results), results
        assert _fresh(c["home"]).available == 0
        assert [d for d in ledger.differences() if d.account_id == c["home"].pk] == []


def test_sixteen_replays_of_one_key_write_once(committed: dict, django_db_blocker: Any) -> None:
    c = committed
    key = f"replay-{c['tag']}"
    with django_db_blocker.unblock():
        results = _race(
            lambda i: ledger.transfer_create(
                actor=None,
                key=key,
                debit=c["budget"],
                credit=c["home"],
                amount=7,
                code=TransferCode.ISSUE,
            )
        )
        assert all(isinstance(r, Transfer) for r in results), results
        assert len({r.pk for r in results}) == 1
        assert Transfer.objects.filter(key=key).count() == 1
        assert _fresh(c["home"]).balance == 7
        # The same key with other fields, sixteen times at once: all refused, nothing written.
        results = _race(
            lambda i: ledger.transfer_create(
                actor=None,
                key=key,
                debit=c["budget"],
                credit=c["home"],
                amount=8 + i,
                code=TransferCode.ISSUE,
            )
        )
        assert all(isinstance(r, Conflict) for r in results), results
        assert _fresh(c["home"]).balance == 7
