"""The points ledger: every write of an account's sums goes through ``ledger_write``.

What it guarantees (after TigerBeetle's and pgledger's designs; see docs/points.md):

- double entry: a transfer debits one account and credits another by the same amount, so the sum of
  all debits equals the sum of all credits at every moment;
- immutability: transfers are never changed or deleted (``AppendOnly`` trigger); a mistake is
  corrected by a reversal, a hold is resolved by a second transfer (post, void or expire), each at
  most once (unique indexes);
- idempotency: each transfer carries the client's key of the business event; a retry with the same
  fields returns the first result, the same key with other fields is refused (409);
- limits in the write: the accounts are locked (``SELECT … FOR UPDATE`` in id order, so two writers
  never wait on each other crosswise), read fresh, checked, then updated; the database's CHECK
  refuses a sum past the limit even if this code were wrong;
- linked transfers: one call writes all its transfers or none.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhili.core.errors import Conflict, NotFound, ValidationFailed
from zhili.points.models import (
    RESOLVING_KINDS,
    Account,
    AccountKind,
    Transfer,
    TransferCode,
    TransferKind,
)

POSTED_KINDS = (TransferKind.SINGLE, TransferKind.POST, TransferKind.REVERSAL)
MAX_AMOUNT = 10**12


@dataclass(frozen=True)
class Move:
    """One transfer asked for. ``single``/``pending`` name the accounts and the amount; ``post``,
    ``void`` and ``expire`` name the hold (``pending_id``); ``reversal`` the transfer it undoes."""

    key: str
    kind: str = TransferKind.SINGLE
    code: str = ""
    debit_id: int | None = None
    credit_id: int | None = None
    amount: int = 0
    pending_id: int | None = None
    reverses_id: int | None = None
    timeout_at: dt.datetime | None = None
    memo: str = ""

    def fingerprint(self) -> str:
        """The fields a retry must repeat (the memo and the timeout are not the transfer's
        substance)."""
        fields = [
            self.kind,
            self.code,
            self.debit_id,
            self.credit_id,
            self.amount,
            self.pending_id,
            self.reverses_id,
        ]
        return hashlib.sha256(json.dumps(fields).encode()).hexdigest()


@dataclass
class _Plan:
    move: Move
    kind: str
    code: str
    debit_id: int
    credit_id: int
    amount: int
    pending: Transfer | None = None
    reverses: Transfer | None = None
    deltas: dict[int, list[int]] = field(default_factory=dict)


class LimitExceeded(Conflict):
    code = "limit_exceeded"


# -- accounts -----------------------------------------------------------------------------------


def account_open(
    *,
    kind: str,
    area: Any,
    name: str,
    funding_source: str = "",
    debit_limit: int | None = 0,
) -> Account:
    """Open an account of a village. Households and budgets may not owe (limit 0); a funding
    source (the money behind a budget) and the shop and expiry accounts have no limit."""
    if kind not in AccountKind.values:
        raise ValidationFailed(_("未知的账户类别"), code="account_kind")
    if kind in (AccountKind.FUNDING, AccountKind.SHOP, AccountKind.EXPIRY):
        debit_limit = None
    return Account.objects.create(
        kind=kind,
        area=area,
        area_path=area.path,
        name=name,
        funding_source=funding_source,
        debit_limit=debit_limit,
    )


def village_account(area: Any, kind: str, funding_source: str = "") -> Account:
    """The village's shop, expiry, funding or budget account (opened on first use)."""
    found = Account.objects.filter(area=area, kind=kind, funding_source=funding_source).first()
    if found is not None:
        return found
    with translation.override(settings.LANGUAGE_CODE):  # a stored name: Chinese in any request
        label = str(AccountKind(kind).label)
    name = f"{area.name}{label}" + (f"（{funding_source}）" if funding_source else "")
    return account_open(kind=kind, area=area, name=name, funding_source=funding_source)


# -- the write ----------------------------------------------------------------------------------


def _check_shape(move: Move) -> None:
    if not move.key or len(move.key) > 100:
        raise ValidationFailed(_("幂等键不能为空且不超过100个字符"), code="key")
    if move.kind not in TransferKind.values:
        raise ValidationFailed(_("未知的流水类型"), code="transfer_kind")
    if move.kind in (TransferKind.SINGLE, TransferKind.PENDING):
        if move.code not in TransferCode.values:
            raise ValidationFailed(_("未知的流水用途"), code="transfer_code")
        if not isinstance(move.amount, int) or not 0 < move.amount <= MAX_AMOUNT:
            raise ValidationFailed(_("积分必须是正整数"), code="amount")
        if move.debit_id is None or move.credit_id is None:
            raise ValidationFailed(_("必须指定借方和贷方账户"), code="accounts")
        if move.debit_id == move.credit_id:
            raise ValidationFailed(_("借方和贷方不能是同一账户"), code="same_account")
    elif move.kind == TransferKind.REVERSAL:
        if move.reverses_id is None:
            raise ValidationFailed(_("冲正必须指明原流水"), code="reverses")
    elif move.pending_id is None:
        raise ValidationFailed(_("必须指明冻结单"), code="pending")


def _existing(moves: Sequence[Move]) -> list[Transfer] | None:
    """The transfers already written under these keys: all of them (a retry: the first result),
    or None (nothing yet). Other fields under a used key, or part of a batch, answer 409."""
    keys = [m.key for m in moves]
    prints = dict(
        Transfer.objects.filter(key__in=keys).order_by().values_list("key", "fingerprint")
    )
    if not prints:
        return None  # the usual case: one cheap indexed lookup, no row objects
    for move in moves:
        if prints.get(move.key) != move.fingerprint():
            raise Conflict(
                _("幂等键“%(key)s”已用于另一笔不同的业务，不能重复使用") % {"key": move.key},
                code="idempotency_conflict",
                detail={"key": move.key},
            )
    found = {t.key: t for t in Transfer.objects.filter(key__in=keys)}
    return [found[k] for k in keys]


def _transfer(pk: int | None, noun: str) -> Transfer:
    found = Transfer.objects.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise NotFound(_("%(noun)s不存在") % {"noun": noun}, code="transfer_not_found")
    return found


def _plan(move: Move, now: dt.datetime) -> _Plan:
    if move.kind in (TransferKind.SINGLE, TransferKind.PENDING):
        assert move.debit_id is not None and move.credit_id is not None
        plan = _Plan(move, move.kind, move.code, move.debit_id, move.credit_id, move.amount)
    elif move.kind == TransferKind.REVERSAL:
        original = _transfer(move.reverses_id, _("原流水"))
        if original.kind not in (TransferKind.SINGLE, TransferKind.POST):
            raise Conflict(_("只能冲正已入账的流水"), code="not_reversible")
        plan = _Plan(
            move,
            move.kind,
            TransferCode.CORRECTION,
            original.credit_id,
            original.debit_id,
            original.amount,
            reverses=original,
        )
    else:
        hold = _transfer(move.pending_id, _("冻结单"))
        if hold.kind != TransferKind.PENDING:
            raise Conflict(_("该流水不是冻结单"), code="not_pending")
        expired = hold.timeout_at is not None and hold.timeout_at <= now
        if move.kind == TransferKind.POST and expired:
            raise Conflict(_("冻结已超时，不能再入账"), code="hold_expired")
        if move.kind == TransferKind.EXPIRE and not expired:
            raise Conflict(_("冻结尚未超时"), code="hold_not_expired")
        plan = _Plan(
            move, move.kind, hold.code, hold.debit_id, hold.credit_id, hold.amount, pending=hold
        )
    # deltas: account -> [debits_posted, credits_posted, debits_pending, credits_pending]
    d, c, a = plan.debit_id, plan.credit_id, plan.amount
    plan.deltas = {d: [0, 0, 0, 0], c: [0, 0, 0, 0]}
    if plan.kind in (TransferKind.SINGLE, TransferKind.REVERSAL):
        plan.deltas[d][0] += a
        plan.deltas[c][1] += a
    elif plan.kind == TransferKind.PENDING:
        plan.deltas[d][2] += a
        plan.deltas[c][3] += a
    elif plan.kind == TransferKind.POST:
        plan.deltas[d][0] += a
        plan.deltas[d][2] -= a
        plan.deltas[c][1] += a
        plan.deltas[c][3] -= a
    else:  # void, expire: the reservation is given back
        plan.deltas[d][2] -= a
        plan.deltas[c][3] -= a
    return plan


def _still_open(plan: _Plan) -> None:
    """Checked under the accounts' locks, so two resolvers of one hold cannot both pass."""
    if plan.pending is not None and plan.pending.resolutions.exists():
        raise Conflict(_("该冻结单已处理（入账、撤销或超时）"), code="hold_resolved")
    if plan.reverses is not None and plan.reverses.reversals.exists():
        raise Conflict(_("该流水已冲正"), code="already_reversed")


def _limit_message(account: Account) -> str:
    if account.kind == AccountKind.BUDGET:
        return _("“%(name)s”预算余额不足") % {"name": account.name}
    return _("“%(name)s”可用积分不足") % {"name": account.name}


def _apply(accounts: dict[int, Account], plan: _Plan) -> None:
    for pk, (dp, cp, dq, cq) in plan.deltas.items():
        acc = accounts[pk]
        acc.debits_posted += dp
        acc.credits_posted += cp
        acc.debits_pending += dq
        acc.credits_pending += cq
        if (
            acc.debit_limit is not None
            and (dp > 0 or dq > 0)
            and acc.debits_posted + acc.debits_pending - acc.credits_posted > acc.debit_limit
        ):
            raise LimitExceeded(
                _limit_message(acc),
                detail={"account": acc.pk, "available": acc.available + dp + dq},
            )


def ledger_write(
    *, actor: Any, moves: Sequence[Move], now: dt.datetime | None = None
) -> list[Transfer]:
    """Write ``moves`` as one linked batch (all or none) and return their transfers; a retry of
    the same batch returns the transfers first written."""
    if not moves:
        raise ValidationFailed(_("没有要记账的流水"), code="empty")
    for move in moves:
        _check_shape(move)
    if len({m.key for m in moves}) != len(moves):
        raise ValidationFailed(_("同一批流水的幂等键不能重复"), code="duplicate_key")
    now = now or timezone.now()
    with transaction.atomic():
        first = _existing(moves)
        if first is not None:
            return first
        plans = [_plan(m, now) for m in moves]
        ids = sorted({pk for p in plans for pk in p.deltas})
        # One lock order for everybody: ascending account id.
        locked = list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        if len(locked) != len(ids):
            raise NotFound(_("账户不存在"), code="account_not_found")
        # A concurrent writer of the same key may have committed while we waited for the locks.
        first = _existing(moves)
        if first is not None:
            return first
        accounts = {a.pk: a for a in locked}
        before = {a.pk: _sums(a) for a in locked}
        for plan in plans:
            _still_open(plan)
            _apply(accounts, plan)
        batch = uuid.uuid4().hex if len(plans) > 1 else ""
        rows = [_row(p, accounts, actor, batch, now) for p in plans]
        try:
            with transaction.atomic():
                written = Transfer.objects.bulk_create(rows)
                for pk, acc in accounts.items():
                    delta = [x - y for x, y in zip(_sums(acc), before[pk], strict=True)]
                    if any(delta):
                        Account.objects.filter(pk=pk).update(
                            debits_posted=F("debits_posted") + delta[0],
                            credits_posted=F("credits_posted") + delta[1],
                            debits_pending=F("debits_pending") + delta[2],
                            credits_pending=F("credits_pending") + delta[3],
                        )
        except IntegrityError as exc:
            # The key (or a hold's resolution) was taken by a writer on other accounts, or the
            # database's own limit check refused: never half a batch.
            raise Conflict(
                _("记账冲突，请重试或检查幂等键"), code="ledger_conflict", detail=str(exc)[:200]
            ) from exc
        if written and written[0].pk is None:  # backends without RETURNING
            by_key = {t.key: t for t in Transfer.objects.filter(key__in=[r.key for r in rows])}
            written = [by_key[r.key] for r in rows]
        return written


def _sums(acc: Account) -> tuple[int, int, int, int]:
    return (acc.debits_posted, acc.credits_posted, acc.debits_pending, acc.credits_pending)


def _row(
    plan: _Plan, accounts: dict[int, Account], actor: Any, batch: str, now: dt.datetime
) -> Transfer:
    debit = accounts[plan.debit_id]
    return Transfer(
        key=plan.move.key,
        fingerprint=plan.move.fingerprint(),
        kind=plan.kind,
        code=plan.code,
        debit_id=plan.debit_id,
        credit_id=plan.credit_id,
        amount=plan.amount,
        pending=plan.pending,
        reverses=plan.reverses,
        batch=batch,
        timeout_at=plan.move.timeout_at if plan.kind == TransferKind.PENDING else None,
        area_path=debit.area_path,
        actor=actor if getattr(actor, "pk", None) else None,
        memo=plan.move.memo[:200],
        created_at=now,
    )


# -- one transfer at a time ---------------------------------------------------------------------


def transfer_create(
    *,
    actor: Any,
    key: str,
    debit: Account | int,
    credit: Account | int,
    amount: int,
    code: str,
    memo: str = "",
    pending: bool = False,
    timeout_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Transfer:
    move = Move(
        key=key,
        kind=TransferKind.PENDING if pending else TransferKind.SINGLE,
        code=code,
        debit_id=getattr(debit, "pk", debit),  # type: ignore[arg-type]
        credit_id=getattr(credit, "pk", credit),  # type: ignore[arg-type]
        amount=amount,
        timeout_at=timeout_at,
        memo=memo,
    )
    return ledger_write(actor=actor, moves=[move], now=now)[0]


def hold_resolve(
    *, actor: Any, key: str, hold: Transfer | int, kind: str, now: dt.datetime | None = None
) -> Transfer:
    """Post, void or expire a hold."""
    if kind not in RESOLVING_KINDS:
        raise ValidationFailed(_("未知的处理方式"), code="transfer_kind")
    move = Move(key=key, kind=kind, pending_id=getattr(hold, "pk", hold))  # type: ignore[arg-type]
    return ledger_write(actor=actor, moves=[move], now=now)[0]


def transfer_reverse(*, actor: Any, key: str, transfer: Transfer | int, memo: str = "") -> Transfer:
    move = Move(
        key=key,
        kind=TransferKind.REVERSAL,
        reverses_id=getattr(transfer, "pk", transfer),  # type: ignore[arg-type]
        memo=memo,
    )
    return ledger_write(actor=actor, moves=[move])[0]


def holds_expire_due(*, now: dt.datetime | None = None) -> int:
    """Expire every hold past its timeout (the task's body; idempotent: the key is the hold's)."""
    now = now or timezone.now()
    due = Transfer.objects.filter(
        kind=TransferKind.PENDING, timeout_at__lte=now, resolutions__isnull=True
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due):
        try:
            hold_resolve(actor=None, key=f"expire:{pk}", hold=pk, kind=TransferKind.EXPIRE, now=now)
            done += 1
        except Conflict:
            continue  # resolved meanwhile by a pickup or a cancel
    return done


# -- reading the truth from the transfers ---------------------------------------------------------


def summed(account_ids: Sequence[int] | None = None) -> dict[int, tuple[int, int, int, int]]:
    """Each account's four sums recomputed from its transfers (what the cache must equal)."""
    out: dict[int, list[int]] = {}
    qs = Transfer.objects.all()
    if account_ids is not None:
        qs = qs.filter(Q(debit_id__in=account_ids) | Q(credit_id__in=account_ids))
    for side, col_posted, col_pending in (("debit_id", 0, 2), ("credit_id", 1, 3)):
        rows = qs.values(side, "kind").annotate(total=Sum("amount")).order_by()
        for row in rows:
            sums = out.setdefault(row[side], [0, 0, 0, 0])
            if row["kind"] in POSTED_KINDS:
                sums[col_posted] += row["total"]
            if row["kind"] == TransferKind.PENDING:
                sums[col_pending] += row["total"]
            elif row["kind"] in RESOLVING_KINDS:
                sums[col_pending] -= row["total"]
    return {pk: (s[0], s[1], s[2], s[3]) for pk, s in out.items()}


@dataclass(frozen=True)
class Difference:
    account_id: int
    account_name: str
    cached: tuple[int, int, int, int]
    summed: tuple[int, int, int, int]


def differences() -> list[Difference]:
    """Accounts whose cached sums differ from the sums of their transfers."""
    truth = summed()
    out = []
    for acc in Account.objects.order_by("pk"):
        expected = truth.get(acc.pk, (0, 0, 0, 0))
        if _sums(acc) != expected:
            out.append(Difference(acc.pk, acc.name, _sums(acc), expected))
    return out
