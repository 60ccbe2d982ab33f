"""The ledger against a model of itself (Hypothesis stateful testing).

Each step is one operation — allocate, issue, spend, hold, post, void, expire, reverse, a retry of
an earlier key, the same key with other fields — applied to the real ledger and to a plain Python
model. After every step: the ledger agreed with the model on success or refusal; Σ debits = Σ
credits; no household or budget past its limit; every cached sum equals the sum of the transfers;
a retried key returned the first result.

At least ``ZHILI_LEDGER_TARGET`` checked steps (10,000 by default), in examples of up to
``ZHILI_LEDGER_STEPS`` steps.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from zhili.core.errors import Conflict
from zhili.points import ledger
from zhili.points.ledger import LimitExceeded
from zhili.points.models import Account, AccountKind, Transfer, TransferCode, TransferKind

EXAMPLES = int(os.environ.get("ZHILI_LEDGER_EXAMPLES", "20"))  # per round
STEPS = int(os.environ.get("ZHILI_LEDGER_STEPS", "100"))
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
TARGET = int(os.environ.get("ZHILI_LEDGER_TARGET", "10000"))
amounts = st.integers(min_value=1, max_value=40)
STEPS_RUN = [0]


class LedgerMachine(RuleBasedStateMachine):
    holds = Bundle("holds")
    posted = Bundle("posted")

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.n = 0
        self.now = T0
        self.done: dict[str, tuple[int, tuple]] = {}  # key -> (transfer id, call)

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def open_accounts(self) -> None:
        from zhili.areas.models import Area

        village = Area.objects.get(code="500103003013")
        self.funding = ledger.account_open(kind=AccountKind.FUNDING, area=village, name="来源")
        self.budget = ledger.account_open(kind=AccountKind.BUDGET, area=village, name="预算")
        self.shop = ledger.account_open(kind=AccountKind.SHOP, area=village, name="超市")
        self.homes = [
            ledger.account_open(kind=AccountKind.HOUSEHOLD, area=village, name=f"户{i}")
            for i in range(3)
        ]
        self.ids = [a.pk for a in (self.funding, self.budget, self.shop, *self.homes)]
        self.model = {pk: [0, 0, 0, 0] for pk in self.ids}
        self.limit = {
            a.pk: a.debit_limit for a in (self.funding, self.budget, self.shop, *self.homes)
        }
        self.hold_info: dict[int, tuple[int, int, int, dt.datetime]] = {}
        self.transfer_info: dict[int, tuple[int, int, int]] = {}
        self.reversed: set[int] = set()
        self.resolved_holds: set[int] = set()

    # -- the model ------------------------------------------------------------------------------

    def _key(self) -> str:
        self.n += 1
        return f"m{self.n}"

    def _fits(self, deltas: dict[int, list[int]]) -> bool:
        for pk, d in deltas.items():
            dp, cp, dq, _cq = (m + x for m, x in zip(self.model[pk], d, strict=True))
            limit = self.limit[pk]
            if limit is not None and (d[0] > 0 or d[2] > 0) and dp + dq - cp > limit:
                return False
        return True

    def _commit(self, deltas: dict[int, list[int]]) -> None:
        for pk, d in deltas.items():
            self.model[pk] = [m + x for m, x in zip(self.model[pk], d, strict=True)]

    def _single(self, debit: int, credit: int, amount: int, code: str) -> int | None:
        key = self._key()
        deltas = {debit: [amount, 0, 0, 0], credit: [0, amount, 0, 0]}
        call = ("single", debit, credit, amount, code)
        if not self._fits(deltas):
            with pytest.raises(LimitExceeded):
                ledger.transfer_create(
                    actor=None,
                    key=key,
                    debit=debit,
                    credit=credit,
                    amount=amount,
                    code=code,
                    now=self.now,
                )
            return None
        t = ledger.transfer_create(
            actor=None, key=key, debit=debit, credit=credit, amount=amount, code=code, now=self.now
        )
        self._commit(deltas)
        self.done[key] = (t.pk, call)
        self.transfer_info[t.pk] = (debit, credit, amount)
        return t.pk

    # -- the operations -------------------------------------------------------------------------

    @rule(target=posted, amount=st.integers(min_value=1, max_value=200))
    def allocate(self, amount: int) -> Any:
        pk = self._single(self.funding.pk, self.budget.pk, amount, TransferCode.ALLOCATE)
        return pk if pk is not None else multiple()

    @rule(target=posted, home=st.integers(0, 2), amount=amounts)
    def issue(self, home: int, amount: int) -> Any:
        pk = self._single(self.budget.pk, self.homes[home].pk, amount, TransferCode.ISSUE)
        return pk if pk is not None else multiple()

    @rule(target=posted, home=st.integers(0, 2), amount=amounts)
    def redeem(self, home: int, amount: int) -> Any:
        pk = self._single(self.homes[home].pk, self.shop.pk, amount, TransferCode.REDEEM)
        return pk if pk is not None else multiple()

    @rule(target=holds, home=st.integers(0, 2), amount=amounts, minutes=st.integers(1, 120))
    def hold(self, home: int, amount: int, minutes: int) -> Any:
        debit, credit, key = self.homes[home].pk, self.shop.pk, self._key()
        deltas = {debit: [0, 0, amount, 0], credit: [0, 0, 0, amount]}
        timeout = self.now + dt.timedelta(minutes=minutes)

        def call() -> Transfer:
            return ledger.transfer_create(
                actor=None,
                key=key,
                debit=debit,
                credit=credit,
                amount=amount,
                code=TransferCode.REDEEM,
                pending=True,
                timeout_at=timeout,
                now=self.now,
            )

        if not self._fits(deltas):
            with pytest.raises(LimitExceeded):
                call()
            return multiple()
        t = call()
        self._commit(deltas)
        self.done[key] = (t.pk, ("pending", debit, credit, amount, TransferCode.REDEEM))
        self.hold_info[t.pk] = (debit, credit, amount, timeout)
        return t.pk

    def _resolve(self, hold: int, kind: str) -> None:
        debit, credit, amount, timeout = self.hold_info[hold]
        expired = timeout <= self.now
        resolved = hold in self.resolved_holds
        key = self._key()
        allowed = not resolved and (
            (kind == TransferKind.POST and not expired)
            or kind == TransferKind.VOID
            or (kind == TransferKind.EXPIRE and expired)
        )
        if not allowed:
            with pytest.raises(Conflict):
                ledger.hold_resolve(actor=None, key=key, hold=hold, kind=kind, now=self.now)
            return
        t = ledger.hold_resolve(actor=None, key=key, hold=hold, kind=kind, now=self.now)
        back = [0, 0, -amount, 0], [0, 0, 0, -amount]
        if kind == TransferKind.POST:
            back = [amount, 0, -amount, 0], [0, amount, 0, -amount]
            self.transfer_info[t.pk] = (debit, credit, amount)
        self._commit({debit: back[0], credit: back[1]})
        self.resolved_holds.add(hold)
        self.done[key] = (t.pk, (kind, hold))

    @rule(
        hold=holds,
        kind=st.sampled_from([TransferKind.POST, TransferKind.VOID, TransferKind.EXPIRE]),
    )
    def resolve(self, hold: int, kind: str) -> None:
        self._resolve(hold, kind)

    @rule(minutes=st.integers(1, 90))
    def advance_clock(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)

    @rule(transfer=consumes(posted))
    def reverse(self, transfer: int) -> None:
        debit, credit, amount = self.transfer_info[transfer]
        key = self._key()
        deltas = {credit: [amount, 0, 0, 0], debit: [0, amount, 0, 0]}
        if transfer in self.reversed or not self._fits(deltas):
            with pytest.raises(Conflict):
                ledger.transfer_reverse(actor=None, key=key, transfer=transfer)
            return
        t = ledger.transfer_reverse(actor=None, key=key, transfer=transfer)
        self._commit(deltas)
        self.reversed.add(transfer)
        self.done[key] = (t.pk, ("reversal", transfer))

    @rule(data=st.data())
    def retry_same_key(self, data: st.DataObject) -> None:
        if not self.done:
            return
        key = data.draw(st.sampled_from(sorted(self.done)))
        first, call = self.done[key]
        if call[0] in ("single", "pending"):
            _kind, debit, credit, amount, code = call
            again = ledger.transfer_create(
                actor=None,
                key=key,
                debit=debit,
                credit=credit,
                amount=amount,
                code=code,
                pending=call[0] == "pending",
                now=self.now,
            )
            assert again.pk == first
            with pytest.raises(Conflict) as err:
                ledger.transfer_create(
                    actor=None,
                    key=key,
                    debit=debit,
                    credit=credit,
                    amount=amount + 1,
                    code=code,
                    pending=call[0] == "pending",
                    now=self.now,
                )
            assert err.value.code == "idempotency_conflict"
        elif call[0] == "reversal":
            assert ledger.transfer_reverse(actor=None, key=key, transfer=call[1]).pk == first
        else:
            again = ledger.hold_resolve(actor=None, key=key, hold=call[1], kind=call[0])
            assert again.pk == first

    # -- after every step -----------------------------------------------------------------------

    @invariant()
    def ledger_is_honest(self) -> None:
        if not hasattr(self, "ids"):
            return
        STEPS_RUN[0] += 1
        accounts = {a.pk: a for a in Account.objects.filter(pk__in=self.ids)}
        cached = {
            pk: [a.debits_posted, a.credits_posted, a.debits_pending, a.credits_pending]
            for pk, a in accounts.items()
        }
        assert cached == self.model
        assert sum(c[0] for c in cached.values()) == sum(c[1] for c in cached.values())
        assert sum(c[2] for c in cached.values()) == sum(c[3] for c in cached.values())
        for a in accounts.values():
            if a.debit_limit is not None:
                assert a.available >= -a.debit_limit
        truth = ledger.summed(self.ids)
        assert {pk: list(truth.get(pk, (0, 0, 0, 0))) for pk in self.ids} == cached


def test_ledger_against_its_model(db: Any, village: Any) -> None:
    """Runs the machine until at least ``TARGET`` checked steps (10,000 by default)."""
    STEPS_RUN[0] = 0
    rounds = 0
    while STEPS_RUN[0] < TARGET and rounds < 50:
        rounds += 1
        run_state_machine_as_test(
            LedgerMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
            ),
        )
    print(f"ledger machine: {STEPS_RUN[0]} steps in {rounds} rounds")
    assert STEPS_RUN[0] >= TARGET, STEPS_RUN[0]
